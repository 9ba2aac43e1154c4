// The bus-code table fed with bus messages recorded from the real live
// pipeline (scripts/record-bus-fixtures.ts): a clean stream gives 2008 and
// 2004 once each and audio levels; corrupt streams give no bus code at all
// (libav conceals), which is why 2101/2102 come from counting instead
// (src/gst/worker/watches/decode-watch.ts); an error message is fatal.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { mapBusMessage, type BusMessage, type BusRule, type BusVerdict } from '../../../src/gst/worker/bus-codes';

const FIXTURES = path.resolve(__dirname, '../../../../test/fixtures/bus');

function replay(name: string): BusVerdict[] {
  const sent = new Set<BusRule>();
  return readFileSync(path.join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => mapBusMessage(JSON.parse(l) as BusMessage, sent))
    .filter((v): v is BusVerdict => v !== null);
}

const codes = (vs: BusVerdict[]) => vs.flatMap((v) => (v.kind === 'code' ? [v.code] : []));

t.test('a clean stream: decoder configured, then first frame, once each', async (tt) => {
  const v = replay('clean');
  tt.same(codes(v), [2008, 2004]);
  const volumes = v.filter((x) => x.kind === 'volume');
  tt.ok(volumes.length >= 5, `level messages become volume readings (${volumes.length})`);
  for (const x of volumes) if (x.kind === 'volume') tt.ok(x.rmsDb < 0 && x.rmsDb > -60, `rms ${x.rmsDb} dB is a plausible tone level`);
  tt.notOk(v.some((x) => x.kind === 'fatal'));
});

t.test('corrupt streams: the bus stays silent about decode errors', async (tt) => {
  for (const name of ['corrupt-video', 'corrupt-audio']) {
    const v = replay(name);
    tt.same(codes(v), [2008, 2004], `${name}: only the normal path`);
    tt.notOk(v.some((x) => x.kind === 'fatal'), `${name}: nothing fatal`);
  }
  tt.equal(replay('corrupt-audio').filter((x) => x.kind === 'volume').length, 0, 'corrupt audio yields no level readings: nothing was decoded');
});

const row = (m: Partial<BusMessage>): BusVerdict | null => mapBusMessage({ type: 'x', ...m } as BusMessage, new Set());

t.test('table rows', async (tt) => {
  const cases: [string, Partial<BusMessage>, unknown][] = [
    ['an error from the video decoder is a decoder error (2108 before the first frame)', { type: 'error', _src_element_name: 'vdec', message: 'Failed to process frame.' }, { kind: 'decoder-error', detail: /^vdec: Failed to process frame/ }],
    ['error from any other element is fatal', { type: 'error', _src_element_name: 'demux', message: 'Internal data stream error.', debug: 'reason error (-5)' }, { kind: 'fatal' }],
    ['decoder warning is 2101', { type: 'warning', _src_element_name: 'vdec', message: 'Could not decode' }, { kind: 'code', code: 2101 }],
    ['audio decoder warning is 2102', { type: 'warning', _src_element_name: 'avdec_aac0', message: 'Could not decode' }, { kind: 'code', code: 2102 }],
    ['latency from another element is nothing', { type: 'latency', _src_element_name: 'vparse' }, null],
    ['vsink PAUSED→PLAYING is not the first frame', { type: 'state-changed', _src_element_name: 'vsink', 'old-state': 'GST_STATE_PAUSED', 'new-state': 'GST_STATE_PLAYING' }, null],
    ['a structure field "type" cannot hide a state change', { type: 'GST_STATE_PAUSED', name: 'GstMessageStateChanged', _src_element_name: 'vsink', 'old-state': 'GST_STATE_READY', 'new-state': 'GST_STATE_PAUSED' }, { kind: 'code', code: 2004 }],
  ];
  for (const [about, m, want] of cases) {
    const got = row(m);
    if (want === null) tt.equal(got, null, about);
    else tt.match(got, want, about);
  }
});

t.test('once-only rules fire once per pipeline', async (tt) => {
  const sent = new Set<BusRule>();
  const m = { type: 'latency', _src_element_name: 'vdec' } as BusMessage;
  tt.match(mapBusMessage(m, sent), { code: 2008 });
  tt.equal(mapBusMessage(m, sent), null);
});

// Recorded from ximagesink on Xvfb with both cores busy (values as the
// worker logged them): the decoder and the sink report late drops as QoS.
t.test('QoS under load: late drops are counted apart, never a decode code', async (tt) => {
  const v = replay('qos-under-load');
  tt.same(codes(v), [], 'no code at all: no 2101 for late frames, none for the latency warning');
  const late = v.filter((x): x is Extract<BusVerdict, { kind: 'late' }> => x.kind === 'late');
  tt.ok(late.some((x) => x.element === 'vdec') && late.some((x) => x.element === 'vsink'), 'both the decoder and the sink report');
  const vdec = late.filter((x) => x.element === 'vdec').map((x) => x.dropped);
  tt.same(vdec, [...vdec].sort((a, b) => a - b), 'the decoder figure is cumulative');
  tt.ok(vdec[vdec.length - 1] > 0, 'and counts real drops');
});

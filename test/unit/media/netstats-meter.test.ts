// The netstatus figures against publishers with known parameters (ffmpeg's
// own encodes): every key within 15% of what the publisher was told to send,
// for steady arrival, a GOP-cache burst at connect, a reconnect, and a replay
// at real speed.
import { performance } from 'node:perf_hooks';
import { sleep } from '../../helpers/time';
import t, { type Test } from 'tap';
import { parseFlv } from '../../../src/media/flv/parser';
import { NetStatsMeter, type NetStatusSample } from '../../../src/media/netstats/meter';
import type { FlvTag } from '../../../src/media/types';
import { HD, makeFlv, readBytes, SD, tempDir, type Publisher } from '../../helpers/ffmpeg-files';

interface Arrival { at: number; tag: FlvTag }

/** Feeds tags (and their bytes on the wire) in arrival order, sampling every `every` ms from `from`. */
function replay(meter: NetStatsMeter, arrivals: Arrival[], from: number, every: number): NetStatusSample[] {
  const samples: NetStatusSample[] = [];
  let next = from;
  for (const { at, tag } of arrivals) {
    for (; next <= at; next += every) samples.push(meter.sample(next));
    meter.onBytes(11 + tag.data.length + 4, at);
    meter.onTag(tag, at);
  }
  return samples;
}

const truthOf = (p: Publisher): Omit<NetStatusSample, 'netSpeed' | 'netJitter'> => ({
  videoBitrate: p.videoKbps, audioBitrate: p.audioKbps, videoFPS: p.fps, videoGOP: p.gopFrames / p.fps, videoWidth: p.width, videoHeight: p.height,
});

/** Every sample's every key within 15% of the truth; the spread goes to the log for the record. */
function checkWithin(t: Test, label: string, samples: NetStatusSample[], truth: Partial<NetStatusSample>): void {
  t.ok(samples.length > 0, `${label}: samples taken`);
  for (const [key, want] of Object.entries(truth) as Array<[keyof NetStatusSample, number]>) {
    const got = samples.map((s) => s[key]);
    const bad = got.filter((v) => Math.abs(v - want) > 0.15 * want);
    t.same(bad, [], `${label} ${key}: ${Math.min(...got)}..${Math.max(...got)} vs ${want}`);
  }
}

const files = new Map<string, FlvTag[]>();
t.before(() => {
  const dir = tempDir(t);
  for (const p of [HD, SD]) files.set(p.name, parseFlv(readBytes(makeFlv(dir, { ...p, seconds: 10 }))).tags);
});

// The truth for netSpeed: what the file puts on the wire per second of media.
const wireKbps = (tags: FlvTag[]): number =>
  (tags.reduce((n, x) => n + x.data.length + 15, 0) * 8) / (tags[tags.length - 1]!.timestamp - tags[0]!.timestamp);

for (const p of [HD, SD]) {
  t.test(`${p.name}: steady arrival`, async (t) => {
    const tags = files.get(p.name)!;
    const meter = new NetStatsMeter();
    const samples = replay(meter, tags.map((tag) => ({ at: tag.timestamp + 150, tag })), 3000, 500);
    checkWithin(t, p.name, samples, { ...truthOf(p), netSpeed: wireKbps(tags) });
    t.ok(samples.every((s) => s.netJitter <= 1), 'no jitter when frames arrive on time');
  });

  t.test(`${p.name}: a GOP-cache burst at connect spoils nothing after 3 s`, async (t) => {
    const tags = files.get(p.name)!;
    // The player joins at stream time 2.5 s; the server first sends everything
    // from the last key frame (2.0 s) at 20 Mb/s, then the live tags as they come.
    const join = 2500;
    const cached = tags.filter((x) => x.type === 18 || x.data[1] === 0 || (x.timestamp >= 2000 && x.timestamp < join));
    const arrivals: Arrival[] = [];
    let wire = 0;
    for (const tag of cached) arrivals.push({ at: (wire += ((tag.data.length + 15) * 8) / 20_000), tag });
    for (const tag of tags.filter((x) => x.timestamp >= join)) arrivals.push({ at: Math.max(wire, tag.timestamp - join + 10), tag });
    const meter = new NetStatsMeter();
    const burst = replay(meter, arrivals, 100, 100)[0]!;
    t.ok(burst.netSpeed > 3 * wireKbps(tags), `netSpeed during the burst is by arrival (${burst.netSpeed} kbps)`);
    const samples = replay(new NetStatsMeter(), arrivals, 3000, 500);
    checkWithin(t, `${p.name} after burst`, samples, { ...truthOf(p), netSpeed: wireKbps(tags) });
  });

  t.test(`${p.name}: a reconnect restarts stream time without spoiling the rates`, async (t) => {
    const tags = files.get(p.name)!;
    const first = tags.filter((x) => x.timestamp < 5000).map((tag) => ({ at: tag.timestamp, tag }));
    // The new connection restarts at 0 one second later; nobody tells the meter.
    const second = tags.map((tag) => ({ at: 6000 + tag.timestamp, tag }));
    const samples = replay(new NetStatsMeter(), [...first, ...second], 9000, 500);
    checkWithin(t, `${p.name} after reconnect`, samples, truthOf(p));
  });
}

t.test('netJitter follows RFC 3550 for a known delay pattern', async (t) => {
  const tags = files.get(HD.name)!;
  // Every other video frame 30 ms late: each D is ±30 ms, so J converges to 30.
  let n = 0;
  const arrivals = tags.map((tag) => ({ at: tag.timestamp + (tag.type === 9 && n++ % 2 ? 30 : 0), tag }));
  const meter = new NetStatsMeter();
  const samples = replay(meter, arrivals, 4000, 500);
  checkWithin(t, 'alternating 30 ms', samples, { netJitter: 30 });
  t.ok(Math.abs(meter.jitterMs - 30) < 1, `jitterMs ${meter.jitterMs.toFixed(2)}`);
});

t.test('a stream that stops reads 0, and the picture size stays', async (t) => {
  const tags = files.get(SD.name)!;
  const meter = new NetStatsMeter();
  replay(meter, tags.map((tag) => ({ at: tag.timestamp, tag })), 0, 1000);
  const end = tags[tags.length - 1]!.timestamp;
  const s = meter.sample(end + 4000);
  t.same([s.videoBitrate, s.audioBitrate, s.videoFPS, s.netSpeed], [0, 0, 0, 0]);
  t.same([s.videoWidth, s.videoHeight], [SD.width, SD.height]);
  t.equal(meter.keyFrames, 10, '10 s at GOP 1 s');
});

t.test('replayed at real speed with the real clock', async (t) => {
  const tags = files.get(SD.name)!.filter((x) => x.timestamp <= 3500);
  const meter = new NetStatsMeter();
  const start = performance.now();
  for (const tag of tags) {
    const due = start + tag.timestamp - performance.now();
    if (due > 0) await sleep(due);
    const now = performance.now();
    meter.onBytes(tag.data.length + 15, now);
    meter.onTag(tag, now);
  }
  const s = meter.sample(performance.now());
  checkWithin(t, 'sd real time', [s], { ...truthOf(SD), netSpeed: wireKbps(files.get(SD.name)!) });
  t.ok(s.netJitter < 15, `timer jitter stays small (${s.netJitter} ms)`);
});

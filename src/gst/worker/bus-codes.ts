// The one table from GStreamer bus messages to live-player codes. The
// worker feeds every bus message through mapBusMessage(); unit tests feed it
// messages recorded from real pipelines (test/fixtures/bus/).
//
// Element names refer to gst-pipelines/*.pipeline: vdec (video decoder),
// vsink (video sink), adec (decodebin holding the audio decoder).

import type { StatusCode } from '../../player/status-codes';

/** A bus message as gstreamer-superficial's pollBus hands it over. */
export interface BusMessage {
  type: string;
  name?: string;
  message?: string;
  debug?: string;
  _src_element_name?: string;
  'old-state'?: string;
  'new-state'?: string;
  [field: string]: unknown;
}

export type BusVerdict =
  | { kind: 'code'; code: StatusCode; detail: string }
  | { kind: 'fatal'; detail: string }
  /** An error from the video decoder: before the first frame a hardware decoder is replaced (2108), else fatal. */
  | { kind: 'decoder-error'; detail: string }
  | { kind: 'volume'; rmsDb: number }
  /** A QoS report: `element` has dropped `dropped` late buffers so far (cumulative, reset by a flush). Not a decode failure. */
  | { kind: 'late'; element: string; dropped: number };

interface Rule {
  /** What the rule is for, shown in test names. */
  about: string;
  match: (m: BusMessage) => boolean;
  verdict: (m: BusMessage) => BusVerdict;
  /** Send at most once per pipeline (first configuration, first frame). */
  once?: boolean;
}

const from = (m: BusMessage) => m._src_element_name ?? '';
// Audio decoders live inside decodebin and get generated names (avdec_aac0, faad0...).
const isAudioDecoder = (m: BusMessage) => /^(avdec_(aac|mp3|mp2|speex|nellymoser|adpcm)|faad|mpg123audiodec|fdkaacdec)\w*\d+$/.test(from(m));
const text = (m: BusMessage) => [m.message, m.debug].filter(Boolean).join(' / ') || m.type;

function firstNumber(s: unknown): number {
  const n = /-?[\d.]+(e[-+]?\d+)?/i.exec(String(s));
  return n ? Number(n[0]) : NaN;
}

export const BUS_RULES: readonly Rule[] = [
  {
    about: 'the video decoder reports its latency once it is configured for the stream',
    match: (m) => m.type === 'latency' && from(m) === 'vdec',
    verdict: () => ({ kind: 'code', code: 2008, detail: 'video decoder configured' }),
    once: true,
  },
  {
    about: 'the video sink prerolls: the first frame is on screen',
    match: (m) => m.type === 'state-changed' && from(m) === 'vsink' && m['new-state'] === 'GST_STATE_PAUSED' && m['old-state'] === 'GST_STATE_READY',
    verdict: () => ({ kind: 'code', code: 2004, detail: 'first frame rendered' }),
    once: true,
  },
  {
    about: 'the video decoder could not decode a frame and goes on',
    match: (m) => m.type === 'warning' && from(m) === 'vdec',
    verdict: (m) => ({ kind: 'code', code: 2101, detail: text(m) }),
  },
  {
    about: 'the audio decoder could not decode a frame and goes on',
    match: (m) => m.type === 'warning' && isAudioDecoder(m),
    verdict: (m) => ({ kind: 'code', code: 2102, detail: text(m) }),
  },
  {
    about: 'the level element measured the audio',
    match: (m) => m.type === 'element' && (m.name === 'level' || from(m) === 'level') && m.rms !== undefined,
    verdict: (m) => ({ kind: 'volume', rmsDb: firstNumber(m.rms) }),
  },
  {
    about: 'the video decoder or sink dropped frames that were late (QoS): counted apart, never 2101',
    match: (m) => (m.type === 'qos' || m.name === 'GstMessageQOS') && (from(m) === 'vdec' || from(m) === 'vsink') && Number.isFinite(Number(m.dropped)),
    verdict: (m) => ({ kind: 'late', element: from(m), dropped: Number(m.dropped) }),
  },
  {
    about: 'the video decoder failed; the worker decides between switching to software and giving up',
    match: (m) => m.type === 'error' && from(m) === 'vdec',
    verdict: (m) => ({ kind: 'decoder-error', detail: `vdec: ${text(m)}` }),
  },
  {
    about: 'any other error stops the pipeline',
    match: (m) => m.type === 'error',
    verdict: (m) => ({ kind: 'fatal', detail: `${from(m)}: ${text(m)}` }),
  },
];

/** Maps one message; `sent` remembers the once-only rules already used for this pipeline. */
export function mapBusMessage(m: BusMessage, sent: Set<Rule>): BusVerdict | null {
  // A structure field named "type" can overwrite the message type:
  // GstMessage names tell the truth, so prefer them where they exist.
  const msg = m.name === 'GstMessageStateChanged' ? { ...m, type: 'state-changed' } : m;
  for (const rule of BUS_RULES) {
    if (!rule.match(msg)) continue;
    if (rule.once) {
      if (sent.has(rule)) return null;
      sent.add(rule);
    }
    return rule.verdict(msg);
  }
  return null;
}

export type { Rule as BusRule };

// The reference figures a netstatus meter is judged against, computed here
// from a second, independent reading of the same stream (tag-collector), so a
// test compares the daemon's meter with the stream rather than with itself.
// Bit rates are codec payload (FLV tag body minus the AVC/AAC packet header:
// 5 bytes for AVC video, 2 for AAC audio) over stream time.
import type { Arrived } from './tag-collector';

export interface StreamTruth {
  videoKbps: number;
  audioKbps: number;
  fps: number;
  /** Seconds between key frames (median of the intervals seen). */
  gopSeconds: number;
  videoFrames: number;
}

const VIDEO = 9;
const AUDIO = 8;

function isFrame(a: Arrived): boolean {
  const d = a.tag.data;
  if (a.tag.type === VIDEO) return d.length > 1 && d[1] === 1; // AVC NALU, not the sequence header
  if (a.tag.type === AUDIO) return d.length > 1 && d[1] === 1; // AAC raw, not the AudioSpecificConfig
  return false;
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Figures over the frames that arrived in [fromMs, toMs) of the collector's clock. */
export function streamTruth(tags: Arrived[], fromMs: number, toMs: number): StreamTruth {
  const inWindow = tags.filter((a) => a.at >= fromMs && a.at < toMs && isFrame(a));
  const rate = (type: number, header: number): { kbps: number; fps: number; n: number } => {
    const f = inWindow.filter((a) => a.tag.type === type);
    if (f.length < 2) return { kbps: 0, fps: 0, n: f.length };
    const covered = f[f.length - 1]!.tag.timestamp - f[0]!.tag.timestamp;
    // n frames last n frame intervals of media.
    const span = (covered * f.length) / (f.length - 1);
    const bytes = f.reduce((s, a) => s + a.tag.data.length - header, 0);
    return { kbps: (bytes * 8) / span, fps: ((f.length - 1) * 1000) / covered, n: f.length };
  };
  const v = rate(VIDEO, 5);
  const a = rate(AUDIO, 2);
  const keys = inWindow.filter((x) => x.tag.type === VIDEO && x.tag.data[0]! >> 4 === 1).map((x) => x.tag.timestamp);
  const gops = keys.slice(1).map((k, i) => (k - keys[i]!) / 1000);
  return { videoKbps: v.kbps, audioKbps: a.kbps, fps: v.fps, gopSeconds: median(gops), videoFrames: v.n };
}

/**
 * RFC 3550 interarrival jitter (ms) of the video frames as this reader
 * received them, the value it had at collector time `atMs`: J += (|D| - J) / 16
 * with D = arrival difference - timestamp difference of consecutive frames.
 */
export function jitterAt(tags: Arrived[], atMs: number): number {
  let j = 0;
  let prev: Arrived | null = null;
  for (const a of tags) {
    if (a.at > atMs) break;
    if (a.tag.type !== VIDEO || !isFrame(a)) continue;
    if (prev) j += (Math.abs(a.at - prev.at - (a.tag.timestamp - prev.tag.timestamp)) - j) / 16;
    prev = a;
  }
  return j;
}

export { median };

// Pure detectors for the status codes that come from the stream itself. The
// worker feeds them what it already has (tags, the meter's jitter) and sends
// the code when one returns an event; they hold no timers and do no I/O.
import type { FlvTag } from '../types';
import { avcInfo } from '../flv/avc';
import { isMediaFrame, TAG_VIDEO } from '../flv/tags';

export interface Size {
  width: number;
  height: number;
}

export type DetectorEvent =
  | { code: 2104; jitterMs: number; detail: string }
  | { code: 2107; kind: 'gap' | 'backwards'; fromTs: number; toTs: number; detail: string }
  | { code: 2009; from: Size; to: Size; detail: string };

export interface JitterDetectorOptions {
  /**
   * ms of RFC 3550 jitter above which arrival counts as uneven. Default 150:
   * with the default 1 s min-cache, a mean deviation of 150 ms leaves room for
   * bursts several times that before the buffer runs dry; healthy Wi-Fi stays
   * well under 50 ms.
   */
  thresholdMs?: number;
  /** How long jitter must stay above the threshold. Default 3000 ms: one stall or burst decays within that, so it stays quiet. */
  holdMs?: number;
  /** After an event, none again within this long. Default 10000 ms, so a bad link does not flood statechange. */
  repeatMs?: number;
}

/** Code 2104: jitter over a threshold for a while. Call update() at each netstatus sample. */
export class JitterDetector {
  private readonly opts: Required<JitterDetectorOptions>;
  private aboveSince: number | null = null;
  private lastEventAt = -Infinity;

  constructor(opts: JitterDetectorOptions = {}) {
    this.opts = { thresholdMs: 150, holdMs: 3000, repeatMs: 10000, ...opts };
  }

  update(jitterMs: number, nowMs: number): DetectorEvent | null {
    if (jitterMs <= this.opts.thresholdMs) {
      this.aboveSince = null;
      return null;
    }
    if (this.aboveSince === null) this.aboveSince = nowMs;
    if (nowMs - this.aboveSince < this.opts.holdMs || nowMs - this.lastEventAt < this.opts.repeatMs) return null;
    this.lastEventAt = nowMs;
    const j = Math.round(jitterMs);
    return { code: 2104, jitterMs: j, detail: `jitter ${j} ms over ${this.opts.thresholdMs} ms` };
  }

  reset(): void {
    this.aboveSince = null;
  }
}

export interface TimestampGapDetectorOptions {
  /** A step of more than this many frame intervals is a gap. Default 3: encoders drop one or two frames routinely under load, and that is not visible. */
  gapFrames?: number;
  /**
   * Floor for the gap in ms. Default 100: FLV timestamps are whole ms and
   * variable-frame-rate publishers wobble by tens of ms, so at 60 fps three
   * intervals (50 ms) would fire on noise; a hole under 100 ms is hardly seen.
   */
  minGapMs?: number;
  /** Deltas remembered to estimate the frame interval (their median). Default 9. */
  history?: number;
}

/** Code 2107: a video timestamp that jumps forward by several frames or goes backwards. Call reset() on reconnect. */
export class TimestampGapDetector {
  private readonly opts: Required<TimestampGapDetectorOptions>;
  private lastTs: number | null = null;
  private deltas: number[] = [];

  constructor(opts: TimestampGapDetectorOptions = {}) {
    this.opts = { gapFrames: 3, minGapMs: 100, history: 9, ...opts };
  }

  /** Frame interval estimate (median of recent steps), null until a few frames have been seen. */
  get frameIntervalMs(): number | null {
    if (this.deltas.length < 3) return null;
    const sorted = [...this.deltas].sort((a, b) => a - b);
    return sorted[sorted.length >> 1]!;
  }

  onTag(tag: FlvTag): DetectorEvent | null {
    if (tag.type !== TAG_VIDEO || !isMediaFrame(tag)) return null;
    const prev = this.lastTs;
    const ts = tag.timestamp;
    this.lastTs = ts;
    if (prev === null) return null;
    const step = ts - prev;
    if (step < 0) {
      return { code: 2107, kind: 'backwards', fromTs: prev, toTs: ts, detail: `video timestamp went back ${-step} ms` };
    }
    const interval = this.frameIntervalMs;
    const limit = interval === null ? null : Math.max(interval * this.opts.gapFrames, this.opts.minGapMs);
    if (limit !== null && step > limit) {
      // Not remembered as a delta: one hole must not inflate the interval estimate.
      return { code: 2107, kind: 'gap', fromTs: prev, toTs: ts, detail: `video timestamps jump ${step} ms (frame interval ${interval} ms)` };
    }
    if (step > 0) {
      this.deltas.push(step);
      if (this.deltas.length > this.opts.history) this.deltas.shift();
    }
    return null;
  }

  /** A new connection: its timestamps have no relation to the old ones. The interval estimate is kept. */
  reset(): void {
    this.lastTs = null;
  }
}

/** Code 2009: the picture size in an AVC sequence header differs from the previous header's. */
export class ResolutionChangeDetector {
  private size: Size | null = null;

  /** Size of the last sequence header, null before one. */
  get current(): Size | null {
    return this.size;
  }

  onTag(tag: FlvTag): DetectorEvent | null {
    const info = avcInfo(tag);
    if (!info) return null;
    const prev = this.size;
    const to = { width: info.width, height: info.height };
    this.size = to;
    if (!prev || (prev.width === to.width && prev.height === to.height)) return null;
    return { code: 2009, from: prev, to, detail: `${prev.width}x${prev.height} → ${to.width}x${to.height}` };
  }
}

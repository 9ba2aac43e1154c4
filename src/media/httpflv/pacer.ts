// A recorded .flv on a plain web server comes at the network's speed: a
// minute of video in a second. Live players and the pipeline behind them
// expect tags in real time (a burst that big was taken for a live delay and
// cut, and the body's end for the stream's end: 2006 after 0.8 s). The pacer
// hands tags on at their own timestamps' pace, LEAD_MS ahead, and pauses the
// body while it holds more than HOLD_MS, so memory holds a few seconds of the
// file whatever its size.
import { performance } from 'node:perf_hooks';
import type { FlvTag } from '../types';

const LEAD_MS = 1000;
const HOLD_MS = 3000;
const RESUME_MS = 1500;

export interface PacerPort {
  deliver(tag: FlvTag, at: number): void;
  pause(): void;
  resume(): void;
}

export class TagPacer {
  private queue: FlvTag[] = [];
  /** Wall time and timestamp of the first tag: the file's timeline starts there. */
  private origin: { at: number; ts: number } | null = null;
  private lastTs = 0;
  private timer: NodeJS.Timeout | null = null;
  private paused = false;
  private drained: (() => void) | null = null;
  private closed = false;

  constructor(private readonly port: PacerPort) {}

  push(tag: FlvTag): void {
    if (this.closed) return;
    this.origin ??= { at: performance.now(), ts: tag.timestamp };
    this.queue.push(tag);
    this.pump();
  }

  /** The body ended: `done` runs once every held tag went out and their lead has passed. */
  end(done: () => void): void {
    this.drained = done;
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.queue = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private dueAt(tag: FlvTag): number {
    const o = this.origin!;
    // A timestamp that goes back (a track interleaved late) is due at once, never earlier than the last.
    this.lastTs = Math.max(this.lastTs, tag.timestamp);
    return o.at + (Math.max(tag.timestamp, o.ts) - o.ts) - LEAD_MS;
  }

  private pump(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const now = performance.now();
    while (this.queue.length && this.dueAt(this.queue[0]!) <= now) {
      this.port.deliver(this.queue.shift()!, now);
      if (this.closed) return;
    }
    const held = this.queue.length ? this.queue[this.queue.length - 1]!.timestamp - this.queue[0]!.timestamp : 0;
    if (!this.paused && held > HOLD_MS) {
      this.paused = true;
      this.port.pause();
    } else if (this.paused && held < RESUME_MS) {
      this.paused = false;
      this.port.resume();
    }
    if (this.queue.length) {
      this.timer = setTimeout(() => this.pump(), Math.max(1, this.dueAt(this.queue[0]!) - now));
    } else if (this.drained) {
      const done = this.drained;
      this.drained = null;
      this.timer = setTimeout(() => !this.closed && done(), LEAD_MS);
    }
  }
}

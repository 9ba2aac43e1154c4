// One direction of a fault-proxy connection: a queue between the bytes read
// from one socket and the writes to the other, released according to the
// faults in force (stall, jitter, throttle). The faults are read on every
// step, so a test switching them at run time takes effect at once (after
// kick()). Used only by ./fault-proxy.ts.
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';

export type StallMode = 'buffer' | 'drop';

/** What one direction does right now; the proxy owns one per direction and mutates it. */
export interface LaneFaults {
  /** performance.now() until which nothing is forwarded; Infinity: until resume(); 0: no stall. */
  stallUntil: number;
  /** 'buffer': hold the bytes and release them when the stall ends; 'drop': discard what arrives meanwhile. */
  stallMode: StallMode;
  throttleBytesPerSec: number | null;
  jitter: { minMs: number; maxMs: number } | null;
}

export function noFaults(): LaneFaults {
  return { stallUntil: 0, stallMode: 'buffer', throttleBytesPerSec: null, jitter: null };
}

export function stalledNow(f: LaneFaults): boolean {
  return f.stallUntil > performance.now();
}

export interface LaneCounters {
  /** Bytes read from the source socket. */
  bytesIn: number;
  /** Bytes written to the destination socket. */
  bytesOut: number;
  /** Bytes discarded by a stall in 'drop' mode (raw streams; FLV streams drop whole tags instead). */
  bytesDropped: number;
  /** Chunks given a random delay by jitter. */
  chunksDelayed: number;
}

export function zeroLaneCounters(): LaneCounters {
  return { bytesIn: 0, bytesOut: 0, bytesDropped: 0, chunksDelayed: 0 };
}

export class Lane {
  private queue: { buf: Buffer; readyAt: number }[] = [];
  private queued = 0;
  /** Release time of the last queued chunk: jitter never reorders. */
  private lastReady = 0;
  /** Current jitter delay (ms), the value it sweeps towards, and when the last chunk came. */
  private delay = 0;
  private target: number | null = null;
  private lastPush = 0;
  private tokens = 0;
  private lastRefill = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private waitingDrain = false;
  private ending = false;
  private closed = false;

  constructor(
    private readonly source: net.Socket,
    private readonly dest: net.Socket,
    private readonly faults: LaneFaults,
    private readonly counters: LaneCounters,
    /** Above this many queued bytes the source is paused, so a throttled or stalled lane pushes back on the sender like a slow TCP peer. */
    private readonly highWater: number,
  ) {}

  /** Queues bytes for the destination (already rewritten by the FLV tamperer, if any). */
  push(buf: Buffer): void {
    if (this.closed || buf.length === 0) return;
    const now = performance.now();
    let readyAt = now;
    const j = this.faults.jitter;
    if (j) {
      // The delay sweeps between the low and the high quarter of the range at
      // 0.8 ms per ms of wall time, towards a new random target each time it
      // reaches one. A per-chunk random walk would collapse (measured):
      // with order kept, release times follow the largest recent delay, so
      // the transit spread depended on how the OS cut the stream into chunks
      // (a 0-1000 ms range gave a spread of only 77 ms on a loaded CI run).
      // Falling slower than time passes, the sweep never needs the
      // order clamp below, and every chunk keeps the delay it was given.
      const dt = this.lastPush === 0 ? 0 : now - this.lastPush;
      const quarter = Math.max(0, j.maxMs - j.minMs) / 4;
      if (this.target === null || this.target < j.minMs || this.target > j.maxMs) this.target = j.maxMs - Math.random() * quarter;
      const step = Math.min(Math.abs(this.target - this.delay), 0.8 * dt);
      this.delay = Math.min(j.maxMs, Math.max(j.minMs, this.delay + Math.sign(this.target - this.delay) * step));
      if (this.delay === this.target) this.target = this.target > (j.minMs + j.maxMs) / 2 ? j.minMs + Math.random() * quarter : j.maxMs - Math.random() * quarter;
      readyAt = now + this.delay;
      this.counters.chunksDelayed += 1;
    }
    this.lastPush = now;
    readyAt = Math.max(readyAt, this.lastReady);
    this.lastReady = readyAt;
    this.queue.push({ buf, readyAt });
    this.queued += buf.length;
    if (this.queued > this.highWater) this.source.pause();
    this.pump();
  }

  /** The source ended (FIN): end the destination once the queue is flushed. */
  end(): void {
    this.ending = true;
    this.pump();
  }

  /** Faults changed: re-evaluate now instead of at the next timer. */
  kick(): void {
    this.pump();
  }

  /** Drops the queue; nothing more is written. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.queued = 0;
  }

  private wait(ms: number): void {
    // An endless stall waits for kick() (resume) rather than a timer.
    if (!Number.isFinite(ms)) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.pump();
    }, Math.max(1, Math.ceil(ms)));
  }

  private pump(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.closed || this.waitingDrain) return;
    const f = this.faults;
    while (this.queue.length > 0) {
      const now = performance.now();
      if (f.stallUntil > now) return this.wait(f.stallUntil - now);
      const head = this.queue[0]!;
      if (head.readyAt > now) return this.wait(head.readyAt - now);
      let n = head.buf.length;
      const rate = f.throttleBytesPerSec;
      if (rate) {
        // Token bucket of 50 ms worth of bytes: small bursts, so the rate is smooth at the tag scale.
        const cap = Math.max(1024, rate / 20);
        this.tokens = Math.min(cap, this.tokens + ((now - this.lastRefill) * rate) / 1000);
        this.lastRefill = now;
        const want = Math.min(n, cap);
        if (this.tokens < want) return this.wait(((want - this.tokens) * 1000) / rate);
        n = Math.min(n, Math.floor(this.tokens));
        this.tokens -= n;
      } else {
        this.tokens = 0;
        this.lastRefill = now;
      }
      const out = head.buf.subarray(0, n);
      if (n === head.buf.length) this.queue.shift();
      else head.buf = head.buf.subarray(n);
      this.queued -= n;
      this.counters.bytesOut += n;
      if (this.queued <= this.highWater / 2 && this.source.isPaused()) this.source.resume();
      if (this.dest.destroyed) return;
      if (!this.dest.write(out)) {
        this.waitingDrain = true;
        this.dest.once('drain', () => {
          this.waitingDrain = false;
          this.pump();
        });
        return;
      }
    }
    if (this.ending && !this.dest.destroyed) this.dest.end();
  }
}

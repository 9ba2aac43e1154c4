// Runs a real reader and records what it reports, with times relative to
// start(), so the reader-*.test.ts files can assert on the sequence.

import { performance } from 'node:perf_hooks';
import { createReader } from '../../src/media/reader';
import type { FlvTag, ReaderFailure, ReaderOptions, StreamReader } from '../../src/media/types';

export interface TimedTag {
  tag: FlvTag;
  /** ms after start() */
  at: number;
}

/** An AVC key frame NALU (not the sequence header, which is also flagged as key frame). */
export function isKeyFrame(tag: FlvTag): boolean {
  return tag.type === 9 && tag.data.length > 1 && tag.data[0] >> 4 === 1 && (tag.data[0] & 0x0f) === 7 && tag.data[1] === 1;
}

export class Recorder {
  t0 = 0;
  order: string[] = [];
  connected: { address: string; port: number; ms: number; at: number } | null = null;
  startedAt: number | null = null;
  tags: TimedTag[] = [];
  bytes = 0;
  /** When each read happened (ms after start()) and how many bytes it brought. */
  reads: { at: number; n: number }[] = [];
  ended: { detail: string; at: number } | null = null;
  failure: (ReaderFailure & { at: number }) | null = null;
  private readonly reader: StreamReader;
  private waiters: (() => void)[] = [];

  constructor(readonly url: string, opts: Partial<ReaderOptions> = {}) {
    const options: ReaderOptions = { connectTimeoutMs: 2000, handshakeTimeoutMs: 2000, ...opts };
    const now = (): number => performance.now() - this.t0;
    this.reader = createReader(
      url,
      {
        connected: (info) => this.note('connected', () => (this.connected = { ...info, at: now() })),
        started: () => this.note('started', () => (this.startedAt = now())),
        tag: (tag, arrival) => this.note('tag', () => this.tags.push({ tag, at: arrival - this.t0 })),
        bytes: (n) => {
          this.bytes += n;
          this.reads.push({ at: now(), n });
        },
        ended: (detail) => this.note('ended', () => (this.ended = { detail, at: now() })),
        failed: (f) => this.note('failed', () => (this.failure = { ...f, at: now() })),
      },
      options,
    );
  }

  start(): this {
    this.t0 = performance.now();
    this.reader.start();
    return this;
  }

  close(): void {
    this.reader.close();
  }

  get finished(): boolean {
    return this.ended !== null || this.failure !== null;
  }

  firstKeyFrame(): TimedTag | undefined {
    return this.tags.find((t) => isKeyFrame(t.tag));
  }

  /** Resolves when `cond` holds; rejects after `timeoutMs` with a summary of what was seen. */
  waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`${what}: not within ${timeoutMs} ms; saw ${this.summary()}`));
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  summary(): string {
    const f = this.failure ? ` failure=${this.failure.code}/${this.failure.kind} "${this.failure.detail}"` : '';
    const e = this.ended ? ` ended="${this.ended.detail}"` : '';
    return `[${[...new Set(this.order)].join(',')}] tags=${this.tags.length} bytes=${this.bytes}${f}${e}`;
  }

  private note(name: string, apply: () => void): void {
    apply();
    this.order.push(name);
    for (const w of [...this.waiters]) w();
  }
}

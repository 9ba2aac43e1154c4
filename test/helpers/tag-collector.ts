// Reads a stream with the project's own reader (src/media/reader.ts) and keeps
// what arrived and when: every tag with its arrival time, every socket read,
// the failure if any. The fault-proxy tests measure rates, gaps and spreads
// from it, and the degradation tests use it to check a stream's state.
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createReader } from '../../src/media/reader';
import type { FlvTag, ReaderFailure } from '../../src/media/types';
import { sleep } from './time';

export interface Arrived {
  tag: FlvTag;
  /** ms since the collector started. */
  at: number;
}

export interface Collector {
  tags: Arrived[];
  reads: { at: number; n: number }[];
  failure: ReaderFailure | null;
  ended: string | null;
  /** Resolves with the failure (or null on a clean end) when the reader finishes by itself. */
  finished: Promise<ReaderFailure | null>;
  /** ms since start. */
  now(): number;
  stop(): void;
}

/** Starts reading `url` now; stop() closes the reader (call it in teardown too). */
export function collect(url: string): Collector {
  const t0 = performance.now();
  let done: (f: ReaderFailure | null) => void = () => undefined;
  const c: Collector = {
    tags: [],
    reads: [],
    failure: null,
    ended: null,
    finished: new Promise((resolve) => (done = resolve)),
    now: () => performance.now() - t0,
    stop: () => reader.close(),
  };
  const reader = createReader(
    url,
    {
      connected: () => undefined,
      started: () => undefined,
      bytes: (n) => c.reads.push({ at: c.now(), n }),
      tag: (tag, arrival) => c.tags.push({ tag, at: arrival - t0 }),
      ended: (d) => ((c.ended = d), done(null)),
      failed: (f) => ((c.failure = f), done(f)),
    },
    { connectTimeoutMs: 2000, handshakeTimeoutMs: 3000 },
  );
  reader.start();
  return c;
}

/** Media tags of one type (no sequence headers, no script data). */
export function media(c: Collector, type: 8 | 9, fromMs = 0, toMs = Infinity): Arrived[] {
  return c.tags.filter((a) => a.tag.type === type && a.tag.data[1] === 1 && a.at >= fromMs && a.at < toMs);
}

/** kbit/s received (socket bytes) between two instants. */
export function rateKbps(c: Collector, fromMs: number, toMs: number): number {
  const bytes = c.reads.filter((r) => r.at >= fromMs && r.at < toMs).reduce((s, r) => s + r.n, 0);
  return (bytes * 8) / (toMs - fromMs);
}

/** Largest step between consecutive values. */
export function maxStep(values: number[]): number {
  let m = 0;
  for (let i = 1; i < values.length; i++) m = Math.max(m, values[i]! - values[i - 1]!);
  return m;
}

/** Standard deviation of the steps between consecutive values. */
export function stepSpread(values: number[]): number {
  const d = values.slice(1).map((v, i) => v - values[i]!);
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, d.length);
  return Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, d.length));
}

/** Standard deviation of arrival time minus stream timestamp: how unevenly tags arrive against their own clock. */
export function transitSpread(arrived: Arrived[]): number {
  const d = arrived.map((a) => a.at - a.tag.timestamp);
  const mean = d.reduce((s, x) => s + x, 0) / Math.max(1, d.length);
  return Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, d.length));
}

/** Saves `ms` of an HTTP-FLV body to `file` (node:http removes the chunk framing). */
export function recordHttp(url: string, file: string, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    let n = 0;
    const req = http.get(url, (res) => {
      res.on('data', (d: Buffer) => ((n += d.length), out.write(d)));
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    setTimeout(() => {
      req.destroy();
      out.end(() => resolve(n));
    }, ms);
  });
}

/** ffmpeg's error lines when decoding `file` completely (empty: decoded cleanly). */
export function ffmpegDecodeErrors(file: string): string[] {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-'], { encoding: 'utf8', timeout: 60000 });
  return (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '');
}

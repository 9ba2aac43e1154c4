// Real media servers for integration tests: nginx with the RTMP module,
// node-media-server 2.7.4, an ffmpeg test-pattern publisher, and a wait
// until a stream can be read. Everything binds 127.0.0.1 on OS-chosen ports.
//
// Usage (tap):
//   const nginx = await startNginxRtmp(); t.teardown(() => nginx.stop());
//   const pub = await startPublisher(nginx.rtmpUrl('cam')); t.teardown(() => pub.stop());
//   await waitForStream(nginx.rtmpUrl('cam'));
// or, all three at once with the teardown registered:
//   const { url } = await publishedStream(t, { server: 'nginx', name: 'cam' });

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createReader } from '../../src/media/reader';
import type { FlvTag, ReaderFailure } from '../../src/media/types';
import { closedPort } from './tcp-servers';
import { sleep } from './time';

/** A started process; stop() sends `signal`, then SIGKILL after `graceMs`, and resolves once it exited. */
export interface Managed {
  proc: ChildProcess;
  /** Everything the process wrote to stderr so far (for failure messages). */
  stderr(): string;
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const alive = new Set<ChildProcess>();
// A crashed test must not leave servers behind.
process.on('exit', () => {
  for (const p of alive) p.kill('SIGKILL');
});

/** Spawns with stdin ignored and stderr kept; the building block of every helper here. */
export function spawnManaged(cmd: string, args: string[], extraStdio: 'ipc' | null = null): Managed {
  const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'ignore', 'pipe'];
  if (extraStdio) stdio.push(extraStdio);
  const proc = spawn(cmd, args, { stdio });
  alive.add(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20000);
  });
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      alive.delete(proc);
      resolve(code);
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { proc, stderr: () => err, exited, stop };
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects when `gone` resolves first. */
export async function waitForPort(port: number, timeoutMs = 10000, gone?: Promise<unknown>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let dead = false;
  void gone?.then(() => (dead = true));
  while (!dead && Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(50);
  }
  throw new Error(dead ? `process exited before port ${port} opened` : `port ${port} not open after ${timeoutMs} ms`);
}

export interface NginxRtmp {
  port: number;
  managed: Managed;
  /** rtmp://127.0.0.1:port/live/<name> */
  rtmpUrl(name: string): string;
  /** nginx's error log so far. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * nginx + libnginx-mod-rtmp, one process (master_process off, so SIGKILL really kills the server).
 * `publishNotify` turns on nginx's NetStream.Play.PublishNotify/UnpublishNotify to players
 * (off by default, as in nginx; a publisher stop is then only a User Control StreamEOF,
 * which also comes first when it is on).
 */
export async function startNginxRtmp(opts: { publishNotify?: boolean; port?: number; apps?: string[] } = {}): Promise<NginxRtmp> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nginx-rtmp-'));
  // A given port: the same server coming back after a restart.
  const port = opts.port ?? (await closedPort());
  const conf = [
    'load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;',
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log info;`,
    'events { worker_connections 256; }',
    // No GOP cache exists in nginx-rtmp: a new player waits for the next key frame.
    `rtmp { server { listen 127.0.0.1:${port}; chunk_size 4096; application live { live on;${opts.publishNotify ? ' publish_notify on;' : ''} }${(opts.apps ?? []).map((a) => ` application ${a} { live on; }`).join('')} } }`,
  ].join('\n');
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const managed = spawnManaged('nginx', ['-p', dir, '-e', `${dir}/error.log`, '-c', `${dir}/nginx.conf`]);
  const log = (): string => {
    try {
      return readFileSync(`${dir}/error.log`, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitForPort(port, 10000, managed.exited);
  } catch (e) {
    await managed.stop('SIGKILL');
    const why = `nginx did not start: ${(e as Error).message}\n${managed.stderr()}\n${log()}`;
    rmSync(dir, { recursive: true, force: true });
    throw new Error(why);
  }
  return {
    port,
    managed,
    rtmpUrl: (name) => `rtmp://127.0.0.1:${port}/live/${name}`,
    log,
    stop: async () => {
      await managed.stop('SIGQUIT', 2000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface NodeMediaServer {
  rtmpPort: number;
  httpPort: number;
  managed: Managed;
  rtmpUrl(name: string): string;
  /** http://127.0.0.1:httpPort/live/<name>.flv */
  flvUrl(name: string): string;
  stop(): Promise<void>;
}

/** node-media-server 2.7.4 in a child process (test/helpers/nms-server.ts), GOP cache on. */
export async function startNodeMediaServer(): Promise<NodeMediaServer> {
  const managed = spawnManaged(process.execPath, [path.join(__dirname, 'nms-server.js')], 'ipc');
  const ports = await new Promise<{ rtmp: number; http: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node-media-server not ready in 10 s\n${managed.stderr()}`)), 10000);
    managed.proc.on('message', (m: { ready?: boolean; rtmp: number; http: number }) => {
      if (!m.ready) return;
      clearTimeout(timer);
      resolve(m);
    });
    void managed.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`node-media-server exited (${code})\n${managed.stderr()}`));
    });
  }).catch(async (e) => {
    await managed.stop('SIGKILL');
    throw e;
  });
  return {
    rtmpPort: ports.rtmp,
    httpPort: ports.http,
    managed,
    rtmpUrl: (name) => `rtmp://127.0.0.1:${ports.rtmp}/live/${name}`,
    flvUrl: (name) => `http://127.0.0.1:${ports.http}/live/${name}.flv`,
    stop: () => managed.stop('SIGTERM', 2000),
  };
}

export interface PublisherOptions {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
  gopSeconds: number;
  audio: boolean;
  audioKbps: number;
  /** Also hold the rate from below (-minrate): a near-constant bit rate, for tests that compare measured rates. */
  cbr?: boolean;
  /** Paint the frame number as a barcode in the top-left corner (see FRAME_COUNTER and readFrameCounter). */
  frameCounter?: boolean;
  /** The lavfi picture: testsrc2 moves; smptebars has fixed colour bars (geometry tests find them by pixel). */
  pattern?: 'testsrc2' | 'smptebars';
  /** false: audio only, no video track at all (a radio-style stream). */
  video?: boolean;
}

/** The frame-number barcode: `bits` white-or-black squares of `cell` px along the top edge, least significant bit first. */
export const FRAME_COUNTER = { bits: 14, cell: 40 };

/** Drawbox filters painting the frame number n (ffmpeg's drawbox has no text, so no font is needed). */
function frameCounterFilters(): string {
  const { bits, cell } = FRAME_COUNTER;
  const boxes = [`drawbox=x=0:y=0:w=${bits * cell}:h=${cell}:color=black:t=fill`];
  for (let k = 0; k < bits; k++) boxes.push(`drawbox=x=${k * cell}:y=0:w=${cell}:h=${cell}:color=white:t=fill:enable='mod(floor(n/${2 ** k}),2)'`);
  return boxes.join(',');
}

/** The frame number painted by `frameCounter`, from an RGBA picture at the source resolution. */
export function readFrameCounter(rgba: Buffer, width: number): number {
  const { bits, cell } = FRAME_COUNTER;
  let n = 0;
  for (let k = 0; k < bits; k++) {
    const o = ((cell >> 1) * width + k * cell + (cell >> 1)) * 4;
    if (rgba[o]! + rgba[o + 1]! + rgba[o + 2]! > 3 * 128) n += 2 ** k;
  }
  return n;
}

export const DEFAULT_PUBLISHER: PublisherOptions = {
  width: 640,
  height: 360,
  fps: 25,
  bitrateKbps: 800,
  gopSeconds: 1,
  audio: true,
  audioKbps: 64,
};

/** The ffmpeg command line used by startPublisher, exported for benchmarks that want the same stream. */
export function publisherArgs(rtmpUrl: string, o: PublisherOptions): string[] {
  const gop = String(Math.max(1, Math.round(o.fps * o.gopSeconds)));
  const v = `${o.bitrateKbps}k`;
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  if (o.video === false) {
    args.push('-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-vn', '-c:a', 'aac', '-b:a', `${o.audioKbps}k`, '-f', 'flv', rtmpUrl);
    return args;
  }
  args.push('-re', '-f', 'lavfi', '-i', `${o.pattern ?? 'testsrc2'}=size=${o.width}x${o.height}:rate=${o.fps}${o.frameCounter ? `,${frameCounterFilters()}` : ''}`);
  if (o.audio) args.push('-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p');
  args.push('-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-b:v', v, '-maxrate', v, '-bufsize', v);
  if (o.cbr) args.push('-minrate', v);
  if (o.audio) args.push('-c:a', 'aac', '-b:a', `${o.audioKbps}k`);
  else args.push('-an');
  args.push('-f', 'flv', rtmpUrl);
  return args;
}

/**
 * Publishes a test pattern (and a sine tone) to `rtmpUrl` in real time.
 * stop() ends it gracefully (SIGTERM: ffmpeg closes the RTMP stream properly), SIGKILL after 3 s.
 * Resolves at spawn; use waitForStream() before reading.
 */
export async function startPublisher(rtmpUrl: string, opts: Partial<PublisherOptions> = {}): Promise<Managed> {
  return spawnManaged('ffmpeg', publisherArgs(rtmpUrl, { ...DEFAULT_PUBLISHER, ...opts }));
}

/**
 * Polls `url` (rtmp or http-flv) with the project's reader until an audio or
 * video tag arrives; returns the ms waited. Each attempt gets `attemptMs`.
 */
export async function waitForStream(url: string, timeoutMs = 15000, attemptMs = 3000): Promise<number> {
  const t0 = performance.now();
  let last = 'no attempt';
  while (performance.now() - t0 < timeoutMs) {
    const r = await new Promise<{ tag?: FlvTag; failure?: ReaderFailure; ended?: string }>((resolve) => {
      const reader = createReader(
        url,
        {
          connected: () => undefined,
          started: () => undefined,
          bytes: () => undefined,
          tag: (tag) => tag.type !== 18 && (reader.close(), clearTimeout(timer), resolve({ tag })),
          ended: (d) => (clearTimeout(timer), resolve({ ended: d })),
          failed: (f) => (clearTimeout(timer), resolve({ failure: f })),
        },
        { connectTimeoutMs: 1000, handshakeTimeoutMs: attemptMs },
      );
      const timer = setTimeout(() => (reader.close(), resolve({})), attemptMs);
      reader.start();
    });
    if (r.tag) return performance.now() - t0;
    last = r.failure ? `${r.failure.code} ${r.failure.detail}` : r.ended ? `ended: ${r.ended}` : 'no tag';
    await sleep(200);
  }
  throw new Error(`stream ${url} not readable after ${timeoutMs} ms (last attempt: ${last})`);
}

/** The server kinds publishedStream starts: nginx-rtmp (no GOP cache) or node-media-server (GOP cache, HTTP-FLV too). */
export type StreamServer = 'nginx' | 'nms';

export interface PublishedStreamOptions<S extends StreamServer> {
  server: S;
  /** The stream name: rtmp://…/live/<name>. */
  name: string;
  /** The publisher's picture, sound and rates (DEFAULT_PUBLISHER for what is not given). */
  pub?: Partial<PublisherOptions>;
  /** Which URL must deliver media before this resolves (default rtmp; flv needs nms). */
  waitOn?: 'rtmp' | 'flv';
  /** How long to wait for the stream (ms, default that of waitForStream). */
  waitMs?: number;
}

export interface PublishedStream<S extends StreamServer> {
  server: S extends 'nginx' ? NginxRtmp : NodeMediaServer;
  publisher: Managed;
  /** The URL that was read before this resolved (rtmpUrl or httpFlvUrl, after waitOn). */
  url: string;
  /** rtmp://127.0.0.1:port/live/<name>, where the publisher publishes. */
  rtmpUrl: string;
  /** http://127.0.0.1:port/live/<name>.flv on nms; null on nginx, which serves no HTTP-FLV. */
  httpFlvUrl: string | null;
  /** Stops the publisher, then the server (the teardown does the same; a second stop does nothing). */
  stop(): Promise<void>;
}

/**
 * A media server with one ffmpeg publisher on stream `name`, readable when
 * this resolves. The test's teardown stops the publisher, then the server.
 * For tests that need a live stream and nothing special about how it starts.
 */
export async function publishedStream<S extends StreamServer>(t: { teardown(fn: () => unknown): void }, o: PublishedStreamOptions<S>): Promise<PublishedStream<S>> {
  const server = o.server === 'nginx' ? await startNginxRtmp() : await startNodeMediaServer();
  t.teardown(() => server.stop());
  const rtmpUrl = server.rtmpUrl(o.name);
  const httpFlvUrl = 'flvUrl' in server ? server.flvUrl(o.name) : null;
  if (o.waitOn === 'flv' && !httpFlvUrl) throw new Error('publishedStream: waitOn flv needs the nms server');
  const publisher = await startPublisher(rtmpUrl, o.pub);
  t.teardown(() => publisher.stop());
  const url = o.waitOn === 'flv' ? httpFlvUrl! : rtmpUrl;
  await waitForStream(url, o.waitMs);
  return {
    server: server as PublishedStream<S>['server'],
    publisher,
    url,
    rtmpUrl,
    httpFlvUrl,
    stop: async () => {
      await publisher.stop();
      await server.stop();
    },
  };
}

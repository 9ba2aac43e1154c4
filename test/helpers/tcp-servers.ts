// Misbehaving peers for fault tests: a server that answers random bytes, one
// that accepts and says nothing, and a minimal HTTP server with a fixed
// answer. All bind 127.0.0.1 on an OS-chosen port; stop() closes every socket.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';

export interface TestServer {
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  stop(): Promise<void>;
}

async function listenLocal(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as net.AddressInfo).port;
}

function track(server: net.Server): { sockets: Set<net.Socket>; count: () => number } {
  const sockets = new Set<net.Socket>();
  let n = 0;
  server.on('connection', (s: net.Socket) => {
    n++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  return { sockets, count: () => n };
}

function stopper(server: net.Server, sockets: Set<net.Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/**
 * Answers every connection with `bytes` random bytes (first byte never 0x03,
 * so an RTMP client cannot mistake it for S0), then closes or stays open.
 */
export async function startGarbageServer(opts: { close: boolean; bytes?: number }): Promise<TestServer> {
  const server = net.createServer((s) => {
    const junk = randomBytes(opts.bytes ?? 4096);
    if (junk[0] === 0x03) junk[0] = 0x47;
    s.write(junk, () => {
      if (opts.close) s.end();
    });
  });
  const t = track(server);
  const port = await listenLocal(server);
  return { port, get connections() { return t.count(); }, stop: stopper(server, t.sockets) };
}

/** Accepts connections and never writes: the handshake-timeout case. */
export async function startSilentServer(): Promise<TestServer> {
  const server = net.createServer(() => undefined);
  const t = track(server);
  const port = await listenLocal(server);
  return { port, get connections() { return t.count(); }, stop: stopper(server, t.sockets) };
}

/** Answers every request with one fixed status and body (404, 503, 200 + HTML...). */
export async function startHttpAnswer(status: number, body = '', contentType = 'text/plain'): Promise<TestServer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(status, { 'Content-Type': contentType });
    res.end(body);
  });
  const t = track(server);
  const port = await listenLocal(server);
  return { port, get connections() { return t.count(); }, stop: stopper(server, t.sockets) };
}

/** A port that was free a moment ago and now refuses connections (nothing listens). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listenLocal(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A listener whose accept queue is full, so a new connect gets no SYN-ACK and
 * times out (3002 connect-timeout) without leaving 127.0.0.1. Node always
 * accepts, so the listener is a python3 child that never calls accept().
 */
export async function startUnacceptingServer(): Promise<TestServer> {
  const script = [
    'import socket, sys, time',
    's = socket.socket()',
    "s.bind(('127.0.0.1', 0))",
    's.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'sys.stdin.read()',
  ].join('\n');
  // stdin is a pipe: when the test process dies, python sees EOF and exits.
  // The system python: version-manager shims (pyenv) take seconds to start.
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const proc = spawn(python, ['-c', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code) => reject(new Error(`python3 listener exited (${code})`)));
    proc.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  // Backlog 0 holds one completed connection; take it so later SYNs are dropped.
  const filler = net.connect(port, '127.0.0.1');
  filler.on('error', () => undefined);
  await new Promise((resolve) => filler.once('connect', resolve));
  return {
    port,
    connections: 0,
    stop: async () => {
      filler.destroy();
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * An HTTP-FLV server that sends a 200, the FLV header and `tags` small
 * video tags, then breaks the body: `how: 'reset'` sends a TCP RST,
 * `'fin'` closes without the chunked terminator.
 */
export async function startBrokenFlvServer(how: 'reset' | 'fin', tags = 5): Promise<TestServer> {
  const server = net.createServer((s) => {
    s.once('data', () => {
      // A 5-byte AVC NALU video tag (11-byte header, body, PreviousTagSize 16).
      const tag = Buffer.from('0900000500000000000000' + '1701000000' + '00000010', 'hex');
      const body = Buffer.concat([Buffer.from('464c5601010000000900000000', 'hex'), ...Array(tags).fill(tag)]);
      s.write(`HTTP/1.1 200 OK\r\nContent-Type: video/x-flv\r\nTransfer-Encoding: chunked\r\n\r\n`);
      s.write(`${body.length.toString(16)}\r\n`);
      s.write(body);
      s.write('\r\n', () => setTimeout(() => (how === 'reset' ? s.resetAndDestroy() : s.end()), 100));
    });
  });
  const t = track(server);
  const port = await listenLocal(server);
  return { port, get connections() { return t.count(); }, stop: stopper(server, t.sockets) };
}

/**
 * An HTTP-FLV server that sends `flv` (a whole FLV file) at its own pace
 * (each tag at its timestamp), with every video tag's codec id rewritten to
 * `videoCodecId`: what an encoder set to H.265 sends through a CDN that
 * uses the common codec id 12 for HEVC. The media inside stays H.264, so
 * only the announced codec differs.
 */
export async function startCodecFlvServer(flv: Buffer, videoCodecId: number): Promise<TestServer> {
  const tags: { ts: number; bytes: Buffer }[] = [];
  for (let off = 13; off + 11 <= flv.length; ) {
    const size = flv.readUIntBE(off + 1, 3);
    const bytes = Buffer.from(flv.subarray(off, off + 11 + size + 4));
    if (bytes[0] === 9 && size > 0) bytes[11] = (bytes[11]! & 0xf0) | videoCodecId;
    tags.push({ ts: bytes.readUIntBE(4, 3) | (bytes[7]! << 24), bytes });
    off += 11 + size + 4;
  }
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/x-flv' });
    res.write(flv.subarray(0, 13));
    const t0 = Date.now();
    let i = 0;
    const step = (): void => {
      while (i < tags.length && tags[i]!.ts <= Date.now() - t0) res.write(tags[i++]!.bytes);
      if (i >= tags.length || res.destroyed) return void res.end();
      const timer = setTimeout(() => (timers.delete(timer), step()), 10);
      timers.add(timer);
    };
    step();
  });
  const t = track(server);
  const port = await listenLocal(server);
  const stop = stopper(server, t.sockets);
  return {
    port,
    get connections() {
      return t.count();
    },
    stop: async () => {
      for (const timer of timers) clearTimeout(timer);
      await stop();
    },
  };
}

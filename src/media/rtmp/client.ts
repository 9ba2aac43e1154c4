// RTMP play client: TCP (or TLS) → handshake → connect → createStream →
// play, then every media message handed on as an FLV tag. It owns the socket
// and the timers; what the server's messages mean is decided in ./session.ts.

import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ReaderEvents, ReaderFailure, ReaderOptions, StreamReader } from '../types';
import { EventGate, errCode, hostPort, openTcp, startTls, untrustedCertificate } from '../connect';
import { ChunkError, ChunkParser } from './chunk-stream';
import { HandshakeReader, clientHello } from './handshake';
import { AckPolicy } from './ack-policy';
import { acknowledgement, connectCommand, createStreamCommand } from './messages';
import { RtmpSession } from './session';
import { parseRtmpUrl, type RtmpTarget } from './url';

type Phase = 'idle' | 'tcp' | 'handshake' | 'connect' | 'playing' | 'closed';

/**
 * Once the stream is steady (see ack-policy.ts), the socket may be read at
 * most once per this many milliseconds. A 2 Mb/s stream otherwise arrives in
 * about 110 reads a second of 2 KB each, and each read costs the worker the
 * same wake-up, syscall and JavaScript entry whatever its size; gathered,
 * the same bytes come in about 35 reads. A frame is then at most this much
 * later into the pipeline, so only a pipeline whose latency absorbs it many
 * times over gathers (see readGapFor); RTC mode, with no added latency,
 * would see late frames dropped and reads every byte as it comes.
 */
export const STEADY_READ_GAP_MS = 25;
/** A pipeline latency that absorbs the gap: at least this many gaps. */
const GAPS_IN_LATENCY = 4;

/** The read gap a pipeline of this fixed latency (ms) can take: STEADY_READ_GAP_MS, or 0 when the latency is too short. */
export function readGapFor(latencyMs: number): number {
  return latencyMs >= STEADY_READ_GAP_MS * GAPS_IN_LATENCY ? STEADY_READ_GAP_MS : 0;
}
/** One buffer per plain-TCP reader, reused for every read (the bytes are copied out). */
const READ_BUFFER_BYTES = 64 * 1024;

export class RtmpReader implements StreamReader {
  private readonly gate: EventGate;
  private phase: Phase = 'idle';
  private cancelTcp: (() => void) | null = null;
  private socket: net.Socket | null = null;
  private where = '';
  private timer: NodeJS.Timeout | null = null;
  private readGap: NodeJS.Timeout | null = null;
  private t0 = 0;
  private bytesIn = 0;
  private readonly acks = new AckPolicy();
  private lastError: unknown = null;
  private tlsPending = false;
  private readonly handshake = new HandshakeReader();
  private readonly parser: ChunkParser;
  private readonly session: RtmpSession;

  constructor(private readonly url: string, events: ReaderEvents, private readonly opts: ReaderOptions) {
    this.gate = new EventGate(events);
    this.session = new RtmpSession(this.gate, {
      write: (b) => this.socket?.write(b),
      setChunkSize: (n) => this.parser.setChunkSize(n),
      abort: (csid) => this.parser.abort(csid),
      setWindow: (n) => this.acks.setWindow(n),
      keyFrame: () => this.acks.keyFrame(),
      connected: () => this.onConnected(),
      fail: (f) => this.fail(f),
      ended: (d) => this.finish(() => this.gate.ended(d)),
    });
    this.parser = new ChunkParser((m) => this.session.onMessage(m));
  }

  start(): void {
    if (this.phase !== 'idle') return;
    this.t0 = performance.now();
    const parsed = parseRtmpUrl(this.url);
    if (!parsed.ok) {
      this.phase = 'closed';
      const reason = parsed.reason;
      process.nextTick(() => this.gate.failed({ code: -2302, kind: 'rejected', detail: reason }));
      return;
    }
    const target = parsed.target;
    this.session.target = target;
    this.phase = 'tcp';
    // Plain TCP is read into one buffer of our own, so reads can be spaced
    // (onRead); TLS reads its socket itself and keeps the stream's reads.
    const onread = target.tls ? undefined : { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n: number, buf: Uint8Array) => this.onRead(n, buf) };
    this.cancelTcp = openTcp(
      target,
      this.opts,
      (r) => {
        this.cancelTcp = null;
        if (!r.ok) return this.fail(r.failure);
        this.where = hostPort(r.conn.address, r.conn.port);
        this.session.address = { address: r.conn.address, port: r.conn.port };
        this.beginHandshake(r.conn.socket, target);
      },
      onread,
    );
  }

  close(): void {
    this.gate.shut();
    this.teardown();
  }

  private beginHandshake(tcp: net.Socket, target: RtmpTarget): void {
    const socket = target.tls ? startTls(tcp, target.host, undefined, this.opts.ca) : tcp;
    this.socket = socket;
    this.phase = 'handshake';
    this.timer = setTimeout(() => this.onHandshakeTimeout(), this.opts.handshakeTimeoutMs);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', (e) => {
      this.lastError = e;
    });
    socket.on('close', () => this.onClose());
    if (target.tls) {
      this.tlsPending = true;
      socket.once('secureConnect', () => {
        this.tlsPending = false;
        socket.write(clientHello());
      });
    } else {
      socket.write(clientHello());
    }
  }

  private onHandshakeTimeout(): void {
    const what = this.tlsPending
      ? 'no TLS handshake reply'
      : this.phase === 'handshake'
        ? 'no RTMP handshake reply'
        : 'handshake done but no answer to connect';
    this.fail({
      code: 3003,
      kind: 'handshake',
      detail: `${what} from ${this.where} within ${this.opts.handshakeTimeoutMs} ms (${this.bytesIn} bytes received)`,
    });
  }

  /** A read into the reader's own buffer; false stops reading until the gap is over. */
  private onRead(n: number, buf: Uint8Array): boolean {
    // Copied: the buffer takes the next read, and the parser keeps slices.
    this.onData(Buffer.from(buf.subarray(0, n)));
    const gapMs = this.opts.steadyReadGapMs ?? 0;
    if (gapMs <= 0 || this.phase !== 'playing' || !this.acks.steady || this.readGap) return true;
    this.readGap = setTimeout(() => {
      this.readGap = null;
      if (this.phase === 'playing') this.socket?.resume();
    }, gapMs);
    return false;
  }

  private onData(d: Buffer): void {
    this.bytesIn += d.length;
    this.gate.bytes(d.length);
    // Before parsing, so that the Acknowledgement leaves with this read's TCP ACK (see ack-policy.ts).
    const ack = this.phase === 'handshake' ? null : this.acks.afterRead(this.bytesIn);
    if (ack !== null) this.socket?.write(acknowledgement(ack));
    let chunkBytes = d;
    if (this.phase === 'handshake') {
      const step = this.handshake.push(d);
      if (step.state === 'need-more') return;
      if (step.state === 'failed') {
        return this.fail({ code: 3003, kind: 'handshake', detail: `${step.detail} from ${this.where}`, debug: `first bytes: ${step.peek}` });
      }
      this.phase = 'connect';
      const target = this.session.target!;
      // One write: C2, connect and createStream, so no Nagle/delayed-ACK pause
      // sits between them and createStream needs no extra round trip.
      this.socket?.write(Buffer.concat([step.c2, connectCommand(target.app, target.tcUrl), createStreamCommand()]));
      chunkBytes = step.rest;
      if (chunkBytes.length === 0) return;
    }
    try {
      this.parser.push(chunkBytes);
    } catch (e) {
      const detail = `${e instanceof ChunkError ? e.message : errCode(e)} from ${this.where}`;
      if (this.phase === 'playing') this.fail({ code: 3005, kind: 'read', detail: `malformed RTMP chunk stream: ${detail}` });
      else this.fail({ code: 3003, kind: 'handshake', detail: `peer does not speak RTMP: ${detail}` });
    }
  }

  private onConnected(): void {
    if (this.phase !== 'connect') return;
    this.phase = 'playing';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const a = this.session.address!;
    this.gate.connected({ address: a.address, port: a.port, ms: performance.now() - this.t0 });
  }

  private onClose(): void {
    if (this.phase === 'closed') return;
    const err = this.lastError;
    const seen = `after ${this.bytesIn} bytes`;
    const untrusted = err ? untrustedCertificate(err, this.where) : null;
    if (untrusted) {
      // On RTMP the handshake did fail: 3003 says so, and the message says why.
      this.fail({ ...untrusted, code: 3003 });
    } else if (this.phase !== 'playing') {
      const how = err ? errCode(err) : 'connection closed';
      this.fail({ code: 3003, kind: 'handshake', detail: `${how} by ${this.where} during the RTMP ${this.phase} (${seen})` });
    } else if (err) {
      this.fail({ code: 3005, kind: 'read', detail: `${errCode(err)} ${this.where} (${seen})` });
    } else {
      this.fail({ code: 3005, kind: 'closed', detail: `${this.where} closed the connection without an end-of-stream status (${seen})` });
    }
  }

  private fail(f: ReaderFailure): void {
    this.finish(() => this.gate.failed(f));
  }

  /** Tears down first so the terminal event is the last thing the owner hears. */
  private finish(report: () => void): void {
    this.teardown();
    report();
  }

  private teardown(): void {
    this.phase = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.readGap) clearTimeout(this.readGap);
    this.readGap = null;
    this.cancelTcp?.();
    this.cancelTcp = null;
    this.socket?.destroy();
    this.socket = null;
  }
}

// HTTP(S)-FLV reader: our own DNS and TCP (../connect.ts), then node:http on
// that socket without an agent, and the body cut into FLV tags. A clean end
// of the body is how node-media-server says the publisher stopped (2006).

import * as http from 'node:http';
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ReaderEvents, ReaderFailure, ReaderOptions, StreamReader } from '../types';
import { EventGate, errCode, hostPort, openTcp, startTls } from '../connect';
import { FlvStreamError, FlvStreamParser } from '../flv-stream';
import { parseHttpUrl, type HttpTarget } from './url';

export class HttpFlvReader implements StreamReader {
  private readonly gate: EventGate;
  private cancelTcp: (() => void) | null = null;
  private socket: net.Socket | null = null;
  private req: http.ClientRequest | null = null;
  private timer: NodeJS.Timeout | null = null;
  private where = '';
  private bytesIn = 0;
  private bodyBytes = 0;
  private socketError: unknown = null;
  private done = false;
  private responded = false;

  constructor(private readonly url: string, events: ReaderEvents, private readonly opts: ReaderOptions) {
    this.gate = new EventGate(events);
  }

  start(): void {
    if (this.cancelTcp || this.socket || this.done) return;
    const t0 = performance.now();
    const parsed = parseHttpUrl(this.url);
    if (!parsed.ok) {
      this.done = true;
      const reason = parsed.reason;
      process.nextTick(() => this.gate.failed({ code: -2302, kind: 'rejected', detail: reason }));
      return;
    }
    const target = parsed.target;
    this.cancelTcp = openTcp(target, this.opts, (r) => {
      this.cancelTcp = null;
      if (!r.ok) return this.fail(r.failure);
      this.where = hostPort(r.conn.address, r.conn.port);
      const socket = target.tls ? startTls(r.conn.socket, target.host, ['http/1.1']) : r.conn.socket;
      this.socket = socket;
      socket.on('data', (d: Buffer) => {
        this.bytesIn += d.length;
        this.gate.bytes(d.length);
      });
      socket.on('error', (e) => {
        this.socketError = e;
      });
      this.gate.connected({ address: r.conn.address, port: r.conn.port, ms: performance.now() - t0 });
      this.timer = setTimeout(() => {
        this.fail({
          code: 3003,
          kind: 'handshake',
          detail: `no HTTP response from ${this.where} within ${this.opts.handshakeTimeoutMs} ms (${this.bytesIn} bytes received)`,
        });
      }, this.opts.handshakeTimeoutMs);
      this.request(target, socket);
    });
  }

  close(): void {
    this.gate.shut();
    this.teardown();
  }

  private request(target: HttpTarget, socket: net.Socket): void {
    const req = http.request({
      method: 'GET',
      path: target.path,
      headers: { Host: target.hostHeader, 'User-Agent': 'liveplayerd', Accept: '*/*', Connection: 'close' },
      // Our socket, already connected; no agent, so nothing pools or re-dials behind our back.
      createConnection: () => socket,
    });
    this.req = req;
    req.on('error', (e) => this.onRequestError(e));
    req.on('response', (res) => this.onResponse(res));
    req.end();
  }

  private onRequestError(e: unknown): void {
    // Node reports a socket error on the request even after the response
    // began; mid-body it is a read failure, not a failed handshake.
    if (this.responded) return this.onBodyBroken();
    const code = errCode(e);
    if (code.startsWith('HPE_')) {
      this.fail({ code: 3003, kind: 'handshake', detail: `peer ${this.where} did not speak HTTP (${code}: ${(e as Error).message})` });
    } else {
      // A TLS failure (https) arrives here too, with its own code (ERR_SSL_..., DEPTH_ZERO_SELF_SIGNED_CERT).
      const how = errCode(this.socketError ?? e);
      this.fail({ code: 3003, kind: 'handshake', detail: `${how} from ${this.where} before an HTTP response (${this.bytesIn} bytes received)` });
    }
  }

  private onResponse(res: http.IncomingMessage): void {
    this.responded = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const status = res.statusCode ?? 0;
    const line = `HTTP ${status} ${res.statusMessage ?? ''}`.trim();
    if (status < 200 || status > 299) {
      const location = res.headers.location ? ` (Location: ${res.headers.location})` : '';
      const code = status >= 500 ? 3002 : -2302;
      return this.fail({ code, kind: 'http-status', detail: `${line} from ${this.where}${location}` });
    }
    const contentType = res.headers['content-type'] ?? 'no content-type';
    const parser = new FlvStreamParser((tag) => this.gate.tag(tag, performance.now()), {
      header: true,
      onHeader: () => this.gate.started(),
    });
    res.on('data', (d: Buffer) => {
      if (this.done) return;
      this.bodyBytes += d.length;
      try {
        parser.push(d);
      } catch (e) {
        const msg = e instanceof FlvStreamError ? e.message : errCode(e);
        if (e instanceof FlvStreamError && e.notFlv) {
          return this.fail({ code: -2302, kind: 'not-flv', detail: `${line} (${contentType}) from ${this.where}: ${msg}` });
        }
        return this.fail({ code: 3005, kind: 'read', detail: `malformed FLV from ${this.where}: ${msg}` });
      }
    });
    res.on('end', () => {
      const seen = `${this.bodyBytes} body bytes`;
      if (!parser.headerSeen) {
        this.fail({ code: -2302, kind: 'not-flv', detail: `${line} (${contentType}) from ${this.where} ended after ${seen}, before an FLV header` });
      } else if (parser.buffered > 0) {
        this.fail({ code: 3005, kind: 'closed', detail: `body from ${this.where} ended inside a tag (${seen})` });
      } else {
        const how = res.headers['transfer-encoding'] === 'chunked' ? 'chunked terminator' : 'end of content';
        this.finish(() => this.gate.ended(`HTTP body from ${this.where} ended cleanly (${how}, ${seen})`));
      }
    });
    // A premature close: Node reports it on the response as 'aborted'/'error' (ECONNRESET "aborted").
    res.on('error', () => this.onBodyBroken());
    res.on('aborted', () => this.onBodyBroken());
  }

  private onBodyBroken(): void {
    const seen = `after ${this.bodyBytes} body bytes`;
    const f: ReaderFailure = this.socketError
      ? { code: 3005, kind: 'read', detail: `${errCode(this.socketError)} ${this.where} (${seen})` }
      : { code: 3005, kind: 'closed', detail: `${this.where} closed the connection without ending the body (${seen})` };
    this.fail(f);
  }

  private fail(f: ReaderFailure): void {
    this.finish(() => this.gate.failed(f));
  }

  private finish(report: () => void): void {
    this.teardown();
    report();
  }

  private teardown(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.cancelTcp?.();
    this.cancelTcp = null;
    this.req?.destroy();
    this.req = null;
    this.socket?.destroy();
    this.socket = null;
  }
}

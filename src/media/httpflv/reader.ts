// HTTP(S)-FLV reader: our own DNS and TCP (../connect.ts), then node:http on
// that socket without an agent, and the body cut into FLV tags. A clean end
// of the body is how node-media-server says the publisher stopped (2006).
// Failures carry no code of their own: 3003 and 3005 name RTMP, so an
// HTTP-FLV failure is a drop (2103) whose message says HTTP. What the server
// sent (status text, headers, body bytes) goes to the debug log only.

import * as http from 'node:http';
import { STATUS_CODES } from 'node:http';
import type * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ReaderEvents, ReaderFailure, ReaderOptions, StreamReader } from '../types';
import { EventGate, errCode, hostPort, openTcp, startTls, untrustedCertificate } from '../connect';
import { FlvStreamError, FlvStreamParser } from '../flv-stream';
import { parseHttpUrl, type HttpTarget } from './url';
import { TagPacer } from './pacer';

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
  private pacer: TagPacer | null = null;

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
      const socket = target.tls ? startTls(r.conn.socket, target.host, ['http/1.1'], this.opts.ca) : r.conn.socket;
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
          code: null,
          kind: 'handshake',
          detail: `HTTP: no response from ${this.where} within ${this.opts.handshakeTimeoutMs} ms (${this.bytesIn} bytes received)`,
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
    const untrusted = untrustedCertificate(this.socketError ?? e, this.where);
    if (untrusted) {
      this.fail(untrusted);
    } else if (code.startsWith('HPE_')) {
      this.fail({ code: null, kind: 'handshake', detail: `HTTP: the peer ${this.where} did not speak HTTP (${code})` });
    } else {
      // A TLS failure (https) arrives here too, with its own code (ERR_SSL_..., EPROTO).
      const how = errCode(this.socketError ?? e);
      this.fail({ code: null, kind: 'handshake', detail: `HTTP: ${how} from ${this.where} before a response (${this.bytesIn} bytes received)` });
    }
  }

  private onResponse(res: http.IncomingMessage): void {
    this.responded = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const status = res.statusCode ?? 0;
    // The standard phrase for the number, not the server's own words.
    const line = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
    const peer = `status line: ${status} ${res.statusMessage ?? ''}; content-type: ${res.headers['content-type'] ?? 'none'}${res.headers.location ? `; location: ${res.headers.location}` : ''}`;
    if (status < 200 || status > 299) {
      const code = status >= 500 ? 3002 : -2302;
      return this.fail({ code, kind: 'http-status', detail: `${line} from ${this.where}`, debug: peer });
    }
    // A body with a length is a file, not a live stream: it plays at its own pace (./pacer.ts).
    const recorded = res.headers['content-length'] !== undefined;
    const pacer = recorded
      ? new TagPacer({ deliver: (tag, at) => this.gate.tag(tag, at), pause: () => res.pause(), resume: () => res.resume() })
      : null;
    this.pacer = pacer;
    const parser = new FlvStreamParser((tag) => (pacer ? pacer.push(tag) : this.gate.tag(tag, performance.now())), {
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
        const debug = e instanceof FlvStreamError && e.peek ? `${peer}; first body bytes: ${e.peek}` : peer;
        if (e instanceof FlvStreamError && e.notFlv) {
          return this.fail({ code: -2302, kind: 'not-flv', detail: `${line} from ${this.where}: ${msg}`, debug });
        }
        return this.fail({ code: null, kind: 'read', detail: `HTTP-FLV: malformed FLV from ${this.where}: ${msg}` });
      }
    });
    res.on('end', () => {
      const seen = `${this.bodyBytes} body bytes`;
      if (!parser.headerSeen) {
        this.fail({ code: -2302, kind: 'not-flv', detail: `${line} from ${this.where}: the body ended after ${seen}, before an FLV header`, debug: peer });
      } else if (parser.buffered > 0) {
        this.fail({ code: null, kind: 'closed', detail: `HTTP-FLV: the body from ${this.where} ended inside a tag (${seen})` });
      } else {
        const how = res.headers['transfer-encoding'] === 'chunked' ? 'chunked terminator' : 'end of content';
        const end = (): void => this.finish(() => this.gate.ended(`HTTP body from ${this.where} ended cleanly (${how}, ${seen})`));
        if (pacer) pacer.end(end);
        else end();
      }
    });
    // A premature close: Node reports it on the response as 'aborted'/'error' (ECONNRESET "aborted").
    res.on('error', () => this.onBodyBroken());
    res.on('aborted', () => this.onBodyBroken());
  }

  private onBodyBroken(): void {
    const seen = `after ${this.bodyBytes} body bytes`;
    const f: ReaderFailure = this.socketError
      ? { code: null, kind: 'read', detail: `HTTP-FLV: ${errCode(this.socketError)} ${this.where} (${seen})` }
      : { code: null, kind: 'closed', detail: `HTTP-FLV: ${this.where} closed the connection without ending the body (${seen})` };
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
    this.pacer?.close();
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

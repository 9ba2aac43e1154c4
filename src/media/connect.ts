// The first steps every reader takes, done by hand so each failure is seen
// first-hand: our own DNS lookup (3001), our own TCP connect with its own
// timer (3002), optional TLS, and the mapping of socket errors to codes.

import { lookup } from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { ReaderEvents, ReaderFailure, ReaderOptions } from './types';

export interface Target {
  host: string;
  port: number;
}

export interface TcpConnection {
  socket: net.Socket;
  address: string;
  port: number;
  /** From the start of the DNS lookup to the TCP connection. */
  ms: number;
}

/** `address:port`, the form every detail string uses. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function errCode(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ?? e?.message ?? String(err);
}

/**
 * Resolves and connects, calling `done` exactly once unless cancelled.
 * Returns the cancel function; after it, nothing is called and the socket is gone.
 */
export function openTcp(
  target: Target,
  opts: ReaderOptions,
  done: (r: { ok: true; conn: TcpConnection } | { ok: false; failure: ReaderFailure }) => void,
  onread?: net.OnReadOpts,
): () => void {
  const t0 = performance.now();
  let cancelled = false;
  let socket: net.Socket | null = null;
  let timer: NodeJS.Timeout | null = null;
  const finish = (r: Parameters<typeof done>[0]): void => {
    if (cancelled) return;
    cancelled = true;
    if (timer) clearTimeout(timer);
    if (!r.ok) socket?.destroy();
    done(r);
  };
  const host = target.host.replace(/^\[(.*)\]$/, '$1');
  // A resolver that does not answer can hold getaddrinfo for many seconds; the connect budget covers it too.
  timer = setTimeout(() => {
    finish({ ok: false, failure: { code: 3001, kind: 'dns', detail: `no answer from the resolver for ${host} within ${opts.connectTimeoutMs} ms` } });
  }, opts.connectTimeoutMs);
  lookup(host, (err, address) => {
    if (cancelled) return;
    if (timer) clearTimeout(timer);
    if (err) {
      // ENOTFOUND, EAI_AGAIN and the rarer EAI_* alike: the name gave no address.
      finish({ ok: false, failure: { code: 3001, kind: 'dns', detail: `${errCode(err)} ${host}` } });
      return;
    }
    const where = hostPort(address, target.port);
    const s = net.connect({ host: address, port: target.port, onread });
    socket = s;
    s.setNoDelay(true);
    timer = setTimeout(() => {
      finish({
        ok: false,
        failure: { code: 3002, kind: 'connect-timeout', detail: `no TCP answer from ${where} within ${opts.connectTimeoutMs} ms` },
      });
    }, opts.connectTimeoutMs);
    const onError = (e: Error): void => {
      const code = errCode(e);
      finish({ ok: false, failure: { code: 3002, kind: 'refused', detail: `${code} ${where}` } });
    };
    s.once('error', onError);
    s.once('connect', () => {
      s.off('error', onError);
      finish({ ok: true, conn: { socket: s, address, port: target.port, ms: performance.now() - t0 } });
    });
  });
  return () => {
    if (cancelled) return;
    cancelled = true;
    if (timer) clearTimeout(timer);
    socket?.destroy();
  };
}

/**
 * Wraps a connected TCP socket in TLS (rtmps, https); the handshake timer of
 * the caller covers it. The certificate is checked against the system's CAs
 * (with NODE_EXTRA_CA_CERTS) plus `ca` (--ca-file).
 */
export function startTls(socket: net.Socket, hostName: string, alpn?: string[], ca?: string[]): tls.TLSSocket {
  const host = hostName.replace(/^\[(.*)\]$/, '$1');
  const servername = net.isIP(host) ? undefined : host;
  let secureContext: tls.SecureContext | undefined;
  if (ca?.length) {
    // `ca` in the options would replace the default store; adding keeps it.
    secureContext = tls.createSecureContext();
    for (const pem of ca) (secureContext.context as { addCACert(pem: string): void }).addCACert(pem);
  }
  // `host` is the name the certificate must carry (an IP address too: without it Node checks "localhost").
  const t = tls.connect({ socket, host, servername, ALPNProtocols: alpn, secureContext, rejectUnauthorized: true });
  t.setNoDelay(true);
  return t;
}

const UNTRUSTED: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'it is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'its chain ends in a CA that is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'its issuer is not a CA trusted here',
  UNABLE_TO_GET_ISSUER_CERT: 'its issuer is not a CA trusted here',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'its issuer is not a CA trusted here',
  CERT_UNTRUSTED: 'it is not trusted',
  CERT_HAS_EXPIRED: 'it has expired',
  CERT_NOT_YET_VALID: 'it is not valid yet',
  CERT_REVOKED: 'it was revoked',
  CERT_SIGNATURE_FAILURE: 'its signature does not verify',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it was issued for another host name',
};

/** The failure for a TLS certificate the system does not trust, or null for any other error. */
export function untrustedCertificate(err: unknown, where: string): ReaderFailure | null {
  const why = UNTRUSTED[errCode(err)];
  if (!why) return null;
  return {
    code: null,
    kind: 'tls-untrusted',
    detail: `TLS: the certificate of ${where} is not trusted: ${why} (${errCode(err)}); a school's own CA can be added with --ca-file`,
  };
}

/**
 * Ensures a reader reports at most one terminal event (`ended` or `failed`)
 * and nothing after it or after `close()`; readers call this, never the raw events.
 */
export class EventGate implements ReaderEvents {
  private open = true;
  constructor(private readonly events: ReaderEvents) {}

  get isOpen(): boolean {
    return this.open;
  }
  /** Silences the gate without a terminal event (the owner called close()). */
  shut(): void {
    this.open = false;
  }
  connected(info: { address: string; port: number; ms: number }): void {
    if (this.open) this.events.connected(info);
  }
  started(): void {
    if (this.open) this.events.started();
  }
  tag(tag: Parameters<ReaderEvents['tag']>[0], arrival: number): void {
    if (this.open) this.events.tag(tag, arrival);
  }
  bytes(n: number): void {
    if (this.open) this.events.bytes(n);
  }
  ended(detail: string): void {
    if (!this.open) return;
    this.open = false;
    this.events.ended(detail);
  }
  failed(f: ReaderFailure): void {
    if (!this.open) return;
    this.open = false;
    this.events.failed(f);
  }
}

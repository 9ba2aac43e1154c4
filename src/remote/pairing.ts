// The one-time pairing code the TV shows as a QR code. Scanning it opens
// /pair?code=…, which trades the code (once) for a phone session; the code on
// screen then changes. Codes also change when they expire, so a photo of the
// screen is worth nothing ten minutes later.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import os from 'node:os';
import type { Pairing } from '../http/deps';
import type { SessionStore } from './session-store';

export interface PairingOptions {
  sessions: SessionStore;
  /** How long a code is valid (default 10 minutes). */
  ttlMs?: number;
  /** Fixed base such as "http://tv-3.school.lan:8080"; otherwise derived from the listening address. */
  baseUrl?: string;
  now?: () => number;
}

export interface PairingEvents {
  /** A new code is current (after use, expiry or "forget all phones"); the TV redraws. */
  change: [{ url: string; expiresAt: string }];
}

/** First non-internal IPv4 address of the device, or 127.0.0.1. */
export function deviceIPv4(ifaces = os.networkInterfaces()): string {
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/** The address phones reach the daemon at, from the address it listens on. */
export function controlBase(host: string, port: number): string {
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const h = wildcard ? deviceIPv4() : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export class PairingService extends EventEmitter<PairingEvents> implements Pairing {
  private code = '';
  private expires = 0;
  private base: string;
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: PairingOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.base = opts.baseUrl?.replace(/\/+$/, '') ?? 'http://127.0.0.1:8080';
    this.rotate(false);
  }

  /** Called by the daemon once the HTTP server listens (the port may have been 0). */
  setListenAddress(host: string, port: number): void {
    if (this.opts.baseUrl) return;
    this.base = controlBase(host, port);
    this.emit('change', this.current());
  }

  /** The control address shown on the TV (without the code). */
  get controlUrl(): string {
    return `${this.base}/`;
  }

  current(): { url: string; expiresAt: string } {
    if (this.now() >= this.expires) this.rotate(true);
    return { url: `${this.base}/pair?code=${this.code}`, expiresAt: new Date(this.expires).toISOString() };
  }

  /** Trades a code for a new session id, or null when it is wrong, used or expired. The code changes either way only on success. */
  exchange(code: unknown): string | null {
    if (typeof code !== 'string' || code.length > 64 || this.now() >= this.expires) return null;
    if (!timingSafeEqual(digest(code), digest(this.code))) return null;
    const id = this.opts.sessions.issue();
    this.rotate(true);
    return id;
  }

  forgetAll(): void {
    this.opts.sessions.revokeAll();
    // Whoever saw the screen before must scan again too.
    this.rotate(true);
  }

  /** Stops the expiry timer (daemon shutdown). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private rotate(announce: boolean): void {
    // 128 random bits, base64url: 22 characters in the QR code.
    this.code = randomBytes(16).toString('base64url');
    const ttl = this.opts.ttlMs ?? 10 * 60 * 1000;
    this.expires = this.now() + ttl;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.rotate(true), ttl);
    this.timer.unref();
    if (announce) this.emit('change', this.current());
  }
}

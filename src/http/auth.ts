// Who may use the API: the holder of the bearer token, or a phone with a
// session that pairing issued (the `sessions` port, filled by src/remote). Failed
// attempts are counted per client address so the token cannot be guessed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { TokenSource } from '../os/token';

/** The phone sessions' check, declared here where it is used; src/remote/session-store.ts implements it. */
export interface SessionVerifier {
  /** True when `cookieValue` is a live, unrevoked phone session. */
  verify(cookieValue: string): boolean;
  /** The stored hash of the live session `cookieValue` names, or null (lets streams be counted per phone). */
  match?(cookieValue: string): string | null;
}

/** Who a request comes from: the token's holder or one phone session. */
export type Client = 'token' | `session:${string}`;

export interface Auth {
  /** True when the request carries the bearer token or a valid session cookie. */
  verifyRequest(req: FastifyRequest): boolean;
  /** Like verifyRequest, saying who: 'token', 'session:<hash>', or null when neither. */
  identify(req: FastifyRequest): Client | null;
  /** Set (or replaced) when the phone remote starts; without it only the token is accepted. */
  sessions?: SessionVerifier;
  /** The cookie that carries a phone session. */
  readonly cookieName: string;
}

export interface AuthOptions {
  token: TokenSource | string;
  sessions?: SessionVerifier;
  cookieName?: string;
}

// Digests have equal length whatever the inputs, so timingSafeEqual never
// throws and the comparison time does not depend on the token's length.
const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Builds the daemon's Auth; the daemon passes `resolveToken(stateDir, config.token)`. */
export function createAuth(opts: AuthOptions): Auth {
  const source: TokenSource = typeof opts.token === 'string' ? { current: () => opts.token as string, origin: 'override' } : opts.token;
  let cachedToken = '';
  let cachedDigest: Buffer = Buffer.alloc(32);
  const expected = (): Buffer => {
    const t = source.current();
    if (t !== cachedToken) {
      cachedToken = t;
      cachedDigest = digest(t);
    }
    return cachedDigest;
  };
  const auth: Auth = {
    sessions: opts.sessions,
    cookieName: opts.cookieName ?? 'lp_session',
    verifyRequest(req) {
      return auth.identify(req) !== null;
    },
    identify(req) {
      const header = req.headers.authorization;
      if (typeof header === 'string') {
        const m = /^Bearer[ ]+([^\s]{1,512})\s*$/i.exec(header);
        // A wrong bearer token fails even if a cookie is also present: no fallback to guess with.
        return m !== null && timingSafeEqual(digest(m[1]!), expected()) ? 'token' : null;
      }
      const verifier = auth.sessions;
      if (!verifier) return null;
      const value = readCookie(req.headers.cookie, auth.cookieName);
      if (value === null) return null;
      if (verifier.match) {
        const hash = verifier.match(value);
        return hash === null ? null : `session:${hash}`;
      }
      return verifier.verify(value) ? `session:${createHash('sha256').update(value).digest('hex')}` : null;
    },
  };
  return auth;
}

/** The value of cookie `name` in a Cookie header; used by auth and by the phone remote's routes. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export interface FailureLimiterOptions {
  /** Failures allowed per window; the next request is answered 429. */
  max: number;
  windowMs: number;
  /** Addresses tracked at most, so a flood of addresses cannot grow memory without bound. */
  maxKeys?: number;
}

/**
 * A fixed-window counter of failed authentications per client address.
 * (@fastify/rate-limit counts every request; here only failures count, so a
 * working remote control is never throttled.)
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly opts: FailureLimiterOptions, private readonly now: () => number = Date.now) {}

  /** True while `key` has used up its failures for the current window. */
  blocked(key: string): boolean {
    const w = this.current(key);
    return w !== undefined && w.count >= this.opts.max;
  }

  fail(key: string): void {
    const w = this.current(key);
    if (w) {
      w.count += 1;
      return;
    }
    if (this.windows.size >= (this.opts.maxKeys ?? 10_000)) this.prune();
    this.windows.set(key, { start: this.now(), count: 1 });
  }

  private current(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.start >= this.opts.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private prune(): void {
    const t = this.now();
    for (const [k, w] of this.windows) if (t - w.start >= this.opts.windowMs) this.windows.delete(k);
    // Still full of live windows: forget the oldest rather than grow.
    while (this.windows.size >= (this.opts.maxKeys ?? 10_000)) {
      const first = this.windows.keys().next().value as string;
      this.windows.delete(first);
    }
  }
}

// Paired phones. A session id is 256 random bits handed to the phone once, in
// an HttpOnly cookie; only its SHA-256 is kept, in memory and in
// <stateDir>/sessions.json (0600), so a teacher need not rescan after a power
// cut and a copy of the file cannot be replayed as a cookie.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { SessionVerifier } from '../http/auth';
import { readJson, writeJsonAtomic } from './state-file';

export const SESSIONS_FILE = 'sessions.json';

interface StoredSession {
  /** hex SHA-256 of the session id */
  hash: string;
  createdAt: string;
}

export interface SessionStoreOptions {
  stateDir: string;
  /** Phones kept at most; the oldest is forgotten first (default 50). */
  maxSessions?: number;
  /** How long a session lives (default 400 days: a school year and then some). */
  maxAgeMs?: number;
  now?: () => number;
  /** Told where saving failed (or worked again); without it a failed save throws. */
  onSave?: (file: string, err: Error | null) => void;
}

const ID = /^[A-Za-z0-9_-]{43}$/;
const sha256 = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** The SessionVerifier behind the cookie; the pairing service issues into it. */
export class SessionStore implements SessionVerifier {
  private readonly file: string;
  private sessions: StoredSession[] = [];
  private readonly now: () => number;

  constructor(private readonly opts: SessionStoreOptions) {
    this.file = path.join(opts.stateDir, SESSIONS_FILE);
    this.now = opts.now ?? Date.now;
    this.load();
  }

  get size(): number {
    return this.live().length;
  }

  /** Lifetime of a session in seconds, for the cookie's Max-Age. */
  get maxAgeSeconds(): number {
    return Math.floor(this.maxAge / 1000);
  }

  /** A new session; the id is returned once and never stored. */
  issue(): string {
    const id = randomBytes(32).toString('base64url');
    const list = this.live();
    list.push({ hash: sha256(id).toString('hex'), createdAt: new Date(this.now()).toISOString() });
    this.sessions = list.slice(-(this.opts.maxSessions ?? 50));
    this.save();
    return id;
  }

  verify(cookieValue: string): boolean {
    return this.match(cookieValue) !== null;
  }

  /** The stored hash of the live session `cookieValue` names, or null. */
  match(cookieValue: string): string | null {
    if (!ID.test(cookieValue)) return null;
    const h = sha256(cookieValue);
    let found: string | null = null;
    // Every entry is compared, in constant time each, whatever matches.
    for (const s of this.live()) if (timingSafeEqual(h, Buffer.from(s.hash, 'hex'))) found = s.hash;
    return found;
  }

  /** "Forget all phones": every session ends, on disk too. */
  revokeAll(): void {
    this.sessions = [];
    this.save();
  }

  private get maxAge(): number {
    return this.opts.maxAgeMs ?? 400 * 24 * 3600 * 1000;
  }

  private live(): StoredSession[] {
    const oldest = this.now() - this.maxAge;
    return this.sessions.filter((s) => Date.parse(s.createdAt) > oldest);
  }

  private load(): void {
    const raw = readJson(this.file) as { sessions?: unknown } | null;
    const list = Array.isArray(raw?.sessions) ? raw.sessions : [];
    this.sessions = list.filter(
      (s): s is StoredSession =>
        typeof s === 'object' && s !== null && /^[0-9a-f]{64}$/.test((s as StoredSession).hash) && !Number.isNaN(Date.parse((s as StoredSession).createdAt)),
    );
  }

  // A full or read-only state dir keeps phones paired in memory until the next restart; the daemon reports it.
  private save(): void {
    try {
      writeJsonAtomic(this.file, { version: 1, sessions: this.sessions });
      this.opts.onSave?.(this.file, null);
    } catch (err) {
      if (!this.opts.onSave) throw err;
      this.opts.onSave(this.file, err as Error);
    }
  }
}

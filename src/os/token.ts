// The HTTP API's bearer token: generated on first start, kept in the state dir
// (file 0600, dir 0700), overridable with --token / LIVEPLAYER_TOKEN, and
// rotatable with `liveplayerd --rotate-token` while the daemon runs.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const FILE = 'token';
/** What a stored token must look like; anything else is replaced on start. */
const STORED = /^[A-Za-z0-9._~+/=-]{16,256}$/;

/** 32 random bytes (256 bits), base64url: safe in a header, a URL and a QR code. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenPath(stateDir: string): string {
  return path.join(stateDir, FILE);
}

function ensureDir(stateDir: string): void {
  // The dir is created 0700; an existing dir is left as its owner set it.
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
}

// Written to a private temporary file and renamed, so a reader never sees a
// half-written token and the file is never readable by others, not even briefly.
function writeToken(stateDir: string, token: string): void {
  ensureDir(stateDir);
  const tmp = path.join(stateDir, `.${FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    try {
      fs.writeSync(fd, `${token}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, tokenPath(stateDir));
  } catch (err) {
    // A full disk or an immutable token file must not leave an empty temporary file behind.
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      /* nothing more to do */
    }
    throw err;
  }
}

function readStored(stateDir: string): string | null {
  const file = tokenPath(stateDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  if (!STORED.test(text)) return null;
  // A token that others can read is tightened rather than trusted less
  // (best effort: an immutable or foreign-owned file refuses chmod).
  try {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  } catch {
    /* the token is still the one the admin knows */
  }
  return text;
}

/** The stored token, creating it on first start. */
export function ensureToken(stateDir: string): string {
  const stored = readStored(stateDir);
  if (stored) return stored;
  const token = generateToken();
  writeToken(stateDir, token);
  return token;
}

/** Replaces the stored token (for `liveplayerd --rotate-token`); a running daemon picks it up at its next request. */
export function rotateToken(stateDir: string): string {
  const token = generateToken();
  writeToken(stateDir, token);
  return token;
}

/** Where the daemon gets the current token from; `current()` is called per request. */
export interface TokenSource {
  current(): string;
  /** 'memory': the state dir could not give or keep a token; this one lives until the daemon stops. */
  readonly origin: 'override' | 'file' | 'memory';
  /** Why the token is in memory only (e.g. "token file /var/lib/liveplayerd/token: ENOSPC"); absent otherwise. */
  readonly problem?: string;
}

/**
 * The token the daemon accepts: the override when given (--token, LIVEPLAYER_TOKEN),
 * otherwise the state-dir file, re-read when the file changes so that
 * a rotation takes effect without a restart and the old token stops working.
 */
export function resolveToken(stateDir: string, override?: string): TokenSource {
  if (override) return { current: () => override, origin: 'override' };
  const file = tokenPath(stateDir);
  let token: string;
  let problem: string | undefined;
  try {
    token = ensureToken(stateDir);
  } catch (err) {
    // A full, read-only or broken state dir must not keep the TV from
    // starting: the daemon runs with a token in memory and says so.
    token = generateToken();
    problem = `token file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
  let seen = stamp(file);
  return {
    origin: problem ? 'memory' : 'file',
    problem,
    current() {
      const now = stamp(file);
      if (now !== seen) {
        seen = now;
        // A vanished or garbled file keeps the last good token rather than locking everyone out.
        try {
          token = readStored(stateDir) ?? token;
        } catch {
          /* unreadable now (a directory, no permission): keep the last good token */
        }
      }
      return token;
    },
  };
}

function stamp(file: string): string {
  try {
    const s = fs.statSync(file, { bigint: true });
    return `${s.ino}:${s.mtimeNs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

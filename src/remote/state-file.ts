// Small JSON files in the state dir (phone sessions, channels): read once,
// written atomically with mode 0600 (temp file, fsync, rename), so a power
// cut leaves either the old or the new content and nobody else can read them.
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** The parsed file, or null when it does not exist or is not JSON (callers then start empty). */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** Replaces `file` with `value` as JSON, readable by the owner only. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(value));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    // A file left by an older version with wider permissions is narrowed too.
    chmodSync(tmp, 0o600);
    renameSync(tmp, file);
  } catch (err) {
    // A full disk must not leave an empty or half-written temporary file behind.
    try {
      rmSync(tmp, { force: true });
    } catch {
      /* not ours to remove (a directory of that name) */
    }
    throw err;
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* directories cannot be fsynced everywhere; the rename is still atomic */
  }
}

// balena's update lock: while a lesson plays, the supervisor must not kill
// us to install a new release. Per balena's docs the supervisor honours a
// lockfile that exists in /tmp/balena/updates.lock (and the legacy
// /tmp/resin/resin-updates.lock), created exclusively (O_CREAT|O_EXCL, the
// `lockfile` package's semantics); it takes the same file itself before it
// kills a service, so we must never overwrite or delete a lock that is not ours.
// Downloads still happen while locked; the update applies once we release.
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import type { LivePlayer } from '../player/player';
import { isActive } from '../player/state';

export const BALENA_LOCK_DIRS = ['/tmp/balena', '/tmp/resin'];

/** What we write into our lock, so a later run can tell it from the supervisor's (empty) one. */
interface LockOwner {
  owner: 'liveplayerd';
  pid: number;
  at: string;
}

export interface UpdateLockOptions {
  /** `--update-lock`: on under balena, off elsewhere. */
  enabled: boolean;
  dirs?: string[];
}

export class UpdateLock {
  private readonly dirs: string[];
  private readonly log: Logger;
  /** Lock files we created and have not removed yet. */
  private readonly held = new Set<string>();

  constructor(
    private readonly opts: UpdateLockOptions,
    log: Logger,
  ) {
    this.dirs = opts.dirs ?? BALENA_LOCK_DIRS;
    this.log = log.child({ module: 'update-lock' });
  }

  get holding(): boolean {
    return this.held.size > 0;
  }

  /** Takes the lock in every lock dir that exists (the supervisor mounts them). Idempotent. */
  hold(): void {
    if (!this.opts.enabled) return;
    for (const file of this.files()) {
      if (this.held.has(file)) continue;
      let fd: number;
      try {
        fd = openSync(file, 'wx', 0o644);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') this.log.info({ file }, 'update lock already taken by someone else; leaving it');
        else this.log.warn({ err, file }, 'cannot take the update lock');
        continue;
      }
      try {
        const owner: LockOwner = { owner: 'liveplayerd', pid: process.pid, at: new Date().toISOString() };
        writeSync(fd, JSON.stringify(owner));
      } finally {
        closeSync(fd);
      }
      this.held.add(file);
      this.log.info({ file }, 'update lock held: fleet updates wait until playback stops');
    }
  }

  /** Removes the locks we created, and only those. */
  release(): void {
    for (const file of this.held) {
      this.held.delete(file);
      if (!this.ours(file)) {
        this.log.warn({ file }, 'our update lock is gone or was replaced; leaving it');
        continue;
      }
      try {
        unlinkSync(file);
        this.log.info({ file }, 'update lock released');
      } catch (err) {
        this.log.warn({ err, file }, 'cannot release the update lock');
      }
    }
  }

  /**
   * Holds the lock while a session exists (connecting, playing, paused,
   * reconnecting), so a src switch keeps it, and releases it otherwise.
   */
  attach(player: LivePlayer): void {
    const follow = (state: Parameters<typeof isActive>[0]) => (isActive(state) ? this.hold() : this.release());
    player.on('state', ({ state }) => follow(state));
    follow(player.state);
  }

  /**
   * Called once at start, before hold(): /tmp/balena outlives a container
   * restart, so a lock left by a crashed run would block updates forever.
   * Removes a lock only if it is ours (our JSON) and its pid is dead or is
   * our own pid (PID 1 in a container is the same number in every run).
   */
  cleanStale(): void {
    for (const file of this.files()) {
      const owner = readOwner(file);
      if (!owner) continue;
      if (owner.pid !== process.pid && alive(owner.pid)) continue;
      try {
        unlinkSync(file);
        this.log.warn({ file, pid: owner.pid, since: owner.at }, 'removed a stale update lock left by a previous run');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn({ err, file }, 'cannot remove a stale update lock');
      }
    }
  }

  private files(): string[] {
    return this.dirs.filter((d) => existsSync(d)).map((d) => join(d, lockName(d)));
  }

  private ours(file: string): boolean {
    return readOwner(file)?.pid === process.pid;
  }
}

// The legacy dir has its own file name (supervisor < 7.22 read only that one).
function lockName(dir: string): string {
  return basename(dir) === 'resin' ? 'resin-updates.lock' : 'updates.lock';
}

function readOwner(file: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return o.owner === 'liveplayerd' && Number.isInteger(o.pid) ? (o as LockOwner) : null;
  } catch {
    return null; // missing, empty (the supervisor's) or foreign
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

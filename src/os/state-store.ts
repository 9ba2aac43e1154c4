// Persists the attributes and the user's wish to play, so a power cut or a
// crash in the middle of a lesson comes back to the same stream. Every write
// is atomic (temp file, fsync, rename, fsync of the directory): after a
// crash the file holds either the old or the new state, never a mix.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { applyPatch, DEFAULT_ATTRIBUTES, type Attributes } from '../player/attributes';
import type { LivePlayer, ViewState } from '../player/player';

export const STATE_VERSION = 1;
export const STATE_FILE = 'state.json';

export interface PersistedState {
  version: typeof STATE_VERSION;
  attributes: Attributes;
  /** The user's intent, not the pipeline state: true means resume playing at start. */
  playing: boolean;
  /** The view the user chose (full screen and its direction, window, PiP). */
  view?: ViewState;
  /** The configured start view when `view` was saved: a new value of the option overrides the saved view. */
  startView?: string;
  /** Set while the player waits for the lesson to come back: a restart resumes the wait. */
  waitingSince?: string;
}

export class StateStore {
  private readonly file: string;
  private readonly tmp: string;
  private readonly log: Logger;
  private dirReady = false;
  /** The newest state not yet on disk, and the write in flight (one at a time, so the newest always lands last). */
  private pending: PersistedState | null = null;
  private writing: Promise<void> | null = null;
  /** True when load() found a file it could not use and returned defaults instead of saved attributes. */
  fellBack = false;

  constructor(
    private readonly dir: string,
    log: Logger,
    /** Told after each background save: the error, or null once saving works (the daemon's /healthz). */
    private readonly onSave?: (err: Error | null) => void,
  ) {
    this.file = join(dir, STATE_FILE);
    // One fixed name: a temp file left by a crash is simply overwritten.
    this.tmp = join(dir, `${STATE_FILE}.tmp`);
    this.log = log.child({ module: 'state-store' });
  }

  /**
   * Called once at start. null when nothing was ever saved; defaults plus a
   * warning when the file is unreadable or invalid, because a bad file must
   * never keep the TV from starting.
   */
  load(): PersistedState | null {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      return this.fallback(err, 'state file unreadable');
    }
    try {
      return parseState(JSON.parse(text));
    } catch (err) {
      return this.fallback(err, 'state file invalid');
    }
  }

  /**
   * Writes synchronously (start-up and tests; the running daemon uses
   * saveSoon). Throws on I/O errors.
   */
  save(s: PersistedState): void {
    if (!this.dirReady) {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const data = serialize(s);
    const fd = openSync(this.tmp, 'w', 0o600);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(this.tmp, this.file);
    // The rename is durable only once the directory entry is on disk.
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  /**
   * Like save(), without blocking the event loop: the two fsyncs take 8 ms
   * (p50) to 26 ms (p99) on this machine's disk and more on an SD card, and
   * a sync save sat on the path of every play and mute. Changes made while a
   * write is in flight are coalesced into one more write of the newest state.
   */
  saveSoon(s: PersistedState): void {
    this.pending = s;
    this.writing ??= this.drain();
  }

  /** Resolves when everything handed to saveSoon() is on disk (shutdown waits for it). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Saves on every change of the player's attributes, intent, view or wait; `startView` is the configured one. */
  attach(player: LivePlayer, startView?: string): void {
    const persist = () => {
      const since = player.waitingFor?.since;
      this.saveSoon({
        version: STATE_VERSION,
        attributes: player.attributes,
        playing: player.intendsToPlay,
        view: player.viewState,
        ...(startView ? { startView } : {}),
        ...(since ? { waitingSince: since } : {}),
      });
    };
    player.on('attributes', persist);
    player.on('intent', persist);
    player.on('fullscreenchange', persist);
    player.on('pictureinpicture', persist);
    player.on('state', ({ state, previous }) => {
      if (state === 'waiting' || previous === 'waiting') persist();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const s = this.pending;
        this.pending = null;
        try {
          await this.write(s);
          this.onSave?.(null);
        } catch (err) {
          // A full or read-only disk must not break playback; the state is
          // only lost if we also crash before the next successful save.
          this.log.error({ err }, 'saving state failed');
          // Nor leave an empty temporary file where the next write needs the room.
          await rm(this.tmp, { force: true }).catch(() => undefined);
          this.onSave?.(err as Error);
        }
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(s: PersistedState): Promise<void> {
    if (!this.dirReady) {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.dirReady = true;
    }
    const fh = await open(this.tmp, 'w', 0o600);
    try {
      await fh.writeFile(serialize(s));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(this.tmp, this.file);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private fallback(err: unknown, msg: string): PersistedState {
    this.fellBack = true;
    this.log.warn({ err, file: this.file }, `${msg}; starting from defaults`);
    return { version: STATE_VERSION, attributes: { ...DEFAULT_ATTRIBUTES }, playing: false };
  }
}

/**
 * Validates a parsed file. Attributes go through the same check as any
 * PATCH, on top of the defaults, so a file from an older version with fewer
 * attributes still loads.
 */
export function parseState(x: unknown): PersistedState {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new Error('not an object');
  const o = x as Record<string, unknown>;
  if (o.version !== STATE_VERSION) throw new Error(`unknown version ${JSON.stringify(o.version)}`);
  if (typeof o.playing !== 'boolean') throw new Error('playing must be a boolean');
  const attributes = applyPatch(DEFAULT_ATTRIBUTES, o.attributes, 'loadState');
  const out: PersistedState = { version: STATE_VERSION, attributes, playing: o.playing };
  // Fields added after the first version are optional: an older file loads, and a bad one is left out, not fatal.
  const view = parseView(o.view);
  if (view) out.view = view;
  if (typeof o.startView === 'string' && o.startView.length <= 32) out.startView = o.startView;
  if (typeof o.waitingSince === 'string' && !Number.isNaN(Date.parse(o.waitingSince))) out.waitingSince = new Date(o.waitingSince).toISOString();
  return out;
}

function parseView(x: unknown): ViewState | null {
  if (x === null || typeof x !== 'object') return null;
  const v = x as { fullScreen?: { fullScreen?: unknown; direction?: unknown }; pictureInPicture?: unknown };
  const fs = v.fullScreen;
  if (!fs || typeof fs.fullScreen !== 'boolean' || !(fs.direction === 0 || fs.direction === 90 || fs.direction === -90)) return null;
  if (typeof v.pictureInPicture !== 'boolean') return null;
  return { fullScreen: { fullScreen: fs.fullScreen, direction: fs.direction }, pictureInPicture: v.pictureInPicture };
}

/** The view at start: the user's saved choice while the configured start view is the one it was saved under. */
export function startingView(saved: PersistedState | null, startView: 'fullscreen' | 'window'): ViewState {
  if (saved?.view && (saved.startView === undefined || saved.startView === startView)) return saved.view;
  return { fullScreen: { fullScreen: startView === 'fullscreen', direction: 0 }, pictureInPicture: false };
}

function serialize(s: PersistedState): string {
  const { version: _v, ...rest } = s;
  return `${JSON.stringify({ version: STATE_VERSION, ...rest })}\n`;
}

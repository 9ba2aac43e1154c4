// The player's two ports played by the test: a MediaEngine whose sessions
// record what the player asks of them and whose events the test fires (code,
// dropped, ended, failed, crashed, netstatus, volume), and a SourceWatcher
// whose watches the test answers. The real engine and watcher are exercised
// by the integration tests; these let unit, HTTP and D-Bus tests drive the
// real LivePlayer through any sequence of media events.
import type { Attributes } from '../../src/player/attributes';
import type { EngineEvents, MediaEngine, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult, SourceWatcher, WatchResult } from '../../src/player/engine';
import type { StatusCode } from '../../src/player/status-codes';

/** One session the player opened: what it was opened with, its events, what it was told since. */
export interface FakeSession {
  opts: SessionOptions;
  events: EngineEvents;
  /** Every update() the player sent to this session, oldest first. */
  updates: SessionOptions[];
  stopped: boolean;
}

/** The codes of a normal start, in the order the worker sends them; the player is `playing` after them. */
export const START_CODES: readonly StatusCode[] = [2001, 2002, 2003, 2008, 2004];

/**
 * A MediaEngine that records every call in `calls` ('open', 'reconnect',
 * 'pause', 'resume', 'update', 'snapshot:<quality>:<sourceType>', 'stop',
 * 'close') and keeps every session in `opened`.
 */
export class FakeEngine implements MediaEngine {
  readonly restartKeys: readonly (keyof Attributes)[];
  readonly calls: string[] = [];
  readonly opened: FakeSession[] = [];
  /** What snapshot() answers, unless snapshotError is set. */
  snapshotResult: SnapshotResult = { path: '/var/lib/liveplayerd/snapshots/a.png', width: 1280, height: 720 };
  /** When set, snapshot() rejects with it, as a broken pipeline would. */
  snapshotError: Error | null = null;

  constructor(opts: { restartKeys?: readonly (keyof Attributes)[] } = {}) {
    this.restartKeys = opts.restartKeys ?? ['mode'];
  }

  open(opts: SessionOptions, events: EngineEvents): MediaSession {
    this.record('open');
    const s: FakeSession = { opts, events, updates: [], stopped: false };
    this.opened.push(s);
    const rec = (c: string) => this.record(c);
    return {
      reconnect: () => rec('reconnect'),
      pause: async () => rec('pause'),
      resume: async () => rec('resume'),
      update: (o) => {
        rec('update');
        s.updates.push(o);
      },
      snapshot: async (req) => {
        rec(`snapshot:${req.quality}:${req.sourceType}`);
        return this.takeSnapshot(req);
      },
      stop: async () => {
        rec('stop');
        s.stopped = true;
      },
    };
  }

  /** Every call goes through here; a subclass may also write it into a timeline. */
  protected record(call: string): void {
    this.calls.push(call);
  }

  /** What a snapshot returns; a subclass may write a real file. */
  protected async takeSnapshot(_req: SnapshotRequest): Promise<SnapshotResult> {
    if (this.snapshotError) throw this.snapshotError;
    return this.snapshotResult;
  }

  /** The newest session; throws when none was opened. */
  get session(): FakeSession {
    const last = this.opened.at(-1);
    if (!last) throw new Error('no session opened');
    return last;
  }

  /** The events of the newest session: the test plays the media's part with them. */
  get events(): EngineEvents {
    return this.session.events;
  }

  /** The options the newest session was last told: at open, or by its latest update(). */
  get options(): SessionOptions {
    const s = this.session;
    return s.updates.at(-1) ?? s.opts;
  }

  /** Sessions opened and not stopped. */
  get live(): number {
    return this.opened.filter((s) => !s.stopped).length;
  }

  /** Plays the normal start on the newest session (the player moves to `playing`). */
  start(): void {
    for (const c of START_CODES) this.events.code(c);
  }

  async close(): Promise<void> {
    this.record('close');
  }
}

/** One watch the player started; the test answers it with resolve(). */
export interface FakeWatch {
  src: string;
  /** Date.now() when the watch started. */
  at: number;
  cancelled: boolean;
  resolve(r: WatchResult): void;
}

/** A SourceWatcher whose watches stay open until the test answers them; a cancelled watch answers "gone". */
export class FakeWatcher implements SourceWatcher {
  readonly calls: FakeWatch[] = [];

  watch(src: string): { result: Promise<WatchResult>; cancel(): void } {
    let resolve: (r: WatchResult) => void = () => {};
    const result = new Promise<WatchResult>((r) => (resolve = r));
    const call: FakeWatch = { src, at: Date.now(), cancelled: false, resolve };
    this.calls.push(call);
    return { result, cancel: () => void ((call.cancelled = true), resolve({ live: false, heldMs: 0, detail: 'cancelled' })) };
  }

  /** The newest watch; throws when none was started. */
  get last(): FakeWatch {
    const w = this.calls.at(-1);
    if (!w) throw new Error('no watch started');
    return w;
  }
}

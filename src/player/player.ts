// The live-player model: attributes, state, codes, and the LivePlayerContext
// methods. It drives media only through the MediaEngine port and announces
// every change as an event; HTTP, D-Bus and the TV screen are listeners.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { applyPatch, changedKeys, DEFAULT_ATTRIBUTES, type Attributes } from './attributes';
import type { EngineEvents, FullScreenState, MediaEngine, MediaSession, NetStatus, SessionOptions, SnapshotRequest, SnapshotResult, SourceWatcher } from './engine';
import { PlayerError } from './errors';
import { isActive, type PlayerState } from './state';
import { describe, type StatusCode } from './status-codes';
import { ReconnectPolicy, type ReconnectOptions } from './reconnect';

export interface LastCode {
  code: number;
  message: string;
  at: string;
}

/** The view a user chose (or the TV's default): saved with the attributes. */
export interface ViewState {
  fullScreen: FullScreenState;
  pictureInPicture: boolean;
}

/** While `waiting`: since when, and the code that ended the lesson. */
export interface WaitInfo {
  since: string;
  code: number;
  message: string;
}

export interface PlayerView {
  attributes: Attributes;
  state: PlayerState;
  fullScreen: FullScreenState;
  pictureInPicture: boolean;
  lastCode: LastCode | null;
  netStatus: NetStatus;
  waiting?: WaitInfo;
}

export interface PlayerEventMap {
  statechange: [{ code: number; message: string }];
  state: [{ state: PlayerState; previous: PlayerState }];
  attributes: [Attributes];
  netstatus: [{ info: NetStatus }];
  fullscreenchange: [FullScreenState];
  audiovolumenotify: [{ volume: number }];
  pictureinpicture: [{ pictureInPicture: boolean }];
  /**
   * The spec's `error` event: playback ended in failure. Named apart from
   * 'error', which an EventEmitter throws when nobody listens.
   */
  playererror: [{ errMsg: string }];
  /** The user's intent (play or not) changed; persistence listens to this. */
  intent: [{ playing: boolean }];
}

export interface PlayerDeps {
  engine: MediaEngine;
  log: Logger;
  reconnect: ReconnectOptions;
  attributes?: Attributes;
  /** The view at start: the saved one, else the configured start view. */
  view?: ViewState;
  /**
   * Watches the source while waiting for the lesson to come back; without
   * it (or with rejoin false) the player gives up as the spec's phone
   * player does: 2006 stops, -2301 is an error.
   */
  watcher?: SourceWatcher;
  rejoin?: boolean;
  /** The watch's back-off while waiting (tests shorten it). */
  waitBackoff?: { firstMs: number; maxMs: number };
}

/** Back-off of the watch while waiting: 1 s doubling to 30 s. */
export const WAIT_BACKOFF = { firstMs: 1000, maxMs: 30_000 } as const;
/** A watch that held its connection this long proved the server up: the back-off starts again. */
const HELD_RESETS_BACKOFF_MS = 10_000;

export class LivePlayer extends EventEmitter<PlayerEventMap> {
  private attrs: Attributes;
  private current: PlayerState = 'idle';
  private session: MediaSession | null = null;
  private fs: FullScreenState = { fullScreen: false, direction: 0 };
  private pip = false;
  private idleScreen = false;
  private last: LastCode | null = null;
  private net: NetStatus = {};
  private wantsPlay = false;
  private readonly policy: ReconnectPolicy;
  private waitInfo: WaitInfo | null = null;
  private waitTimer: NodeJS.Timeout | null = null;
  private watching: { cancel(): void } | null = null;
  private backoffMs: number;
  private readonly backoff: { firstMs: number; maxMs: number };

  constructor(private readonly deps: PlayerDeps) {
    super();
    this.attrs = { ...(deps.attributes ?? DEFAULT_ATTRIBUTES) };
    this.policy = new ReconnectPolicy(deps.reconnect);
    this.backoff = deps.waitBackoff ?? WAIT_BACKOFF;
    this.backoffMs = this.backoff.firstMs;
    if (deps.view) {
      this.fs = { ...deps.view.fullScreen };
      this.pip = deps.view.pictureInPicture;
    }
  }

  /** Full screen and picture-in-picture as they are now (what persistence saves). */
  get viewState(): ViewState {
    return { fullScreen: { ...this.fs }, pictureInPicture: this.pip };
  }

  /** Since when and why the player waits for the lesson to come back; null unless `waiting`. */
  get waitingFor(): WaitInfo | null {
    return this.current === 'waiting' && this.waitInfo ? { ...this.waitInfo } : null;
  }

  /** The reconnection under way: attempt n of N (for the TV's words). */
  get reconnectAttempt(): { attempt: number; of: number } {
    return { attempt: this.policy.used, of: this.policy.attempts };
  }

  get state(): PlayerState {
    return this.current;
  }

  get attributes(): Attributes {
    return { ...this.attrs };
  }

  /** True while the user wants the stream playing (persisted across restarts). */
  get intendsToPlay(): boolean {
    return this.wantsPlay;
  }

  view(): PlayerView {
    return {
      attributes: this.attributes,
      state: this.current,
      fullScreen: { ...this.fs },
      pictureInPicture: this.pip,
      lastCode: this.last && { ...this.last },
      netStatus: { ...this.net },
      ...(this.waitingFor ? { waiting: this.waitingFor } : {}),
    };
  }

  /** Applies a patch as a whole or refuses it as a whole. */
  setAttributes(patch: unknown): Attributes {
    const next = applyPatch(this.attrs, patch);
    const changed = changedKeys(this.attrs, next);
    if (changed.length === 0) return this.attributes;
    this.attrs = next;
    this.emit('attributes', this.attributes);
    this.applyAttributeChange(changed);
    return this.attributes;
  }

  play(): void {
    if (!this.attrs.src) throw new PlayerError('NoSource', 'play');
    this.setIntent(true);
    if (this.current === 'paused') {
      void this.resume().catch((err) => this.deps.log.warn({ err }, 'resuming on play failed'));
      return;
    }
    if (isActive(this.current)) return;
    this.cancelWait();
    this.policy.reset();
    this.openSession();
  }

  /**
   * Starts in `waiting` (the daemon's start after a restart or power cut in
   * the middle of a wait): no session, only the watch, which plays as soon
   * as the stream is there.
   */
  resumeWaiting(since?: string): void {
    if (!this.attrs.src) throw new PlayerError('NoSource', 'play');
    this.setIntent(true);
    if (!this.canRejoin()) {
      this.play();
      return;
    }
    this.enterWaiting(since);
  }

  // The state and the session change together, before anything is awaited:
  // a request that arrives while a worker is being freed sees "stopped" and
  // no session, never a state that still names a session already let go.
  async stop(): Promise<void> {
    this.setIntent(false);
    this.policy.cancel();
    this.cancelWait();
    const closing = this.closeSession();
    this.waitInfo = null;
    if (this.current !== 'idle') this.changeState('stopped');
    await closing;
  }

  async pause(): Promise<void> {
    if (this.current === 'paused') return;
    const s = this.session;
    if (!s || this.current !== 'playing') throw new PlayerError('NotPlaying', 'pause');
    await this.settle(s, s.pause(), 'pause', 'NotPlaying');
    if (this.session === s && this.current === 'playing') this.changeState('paused');
  }

  async resume(): Promise<void> {
    if (this.current === 'playing') return;
    const s = this.session;
    if (!s || this.current !== 'paused') throw new PlayerError('NotPaused', 'resume');
    await this.settle(s, s.resume(), 'resume', 'NotPaused');
    if (this.session === s && this.current === 'paused') this.changeState('playing');
  }

  // A pause or resume overtaken by a stop or a new session is refused as
  // such, not reported as an engine failure.
  private async settle(s: MediaSession, done: Promise<void>, method: string, reason: 'NotPlaying' | 'NotPaused'): Promise<void> {
    try {
      await done;
    } catch (err) {
      if (this.session !== s) throw new PlayerError(reason, method);
      throw err;
    }
    if (this.session !== s) throw new PlayerError(reason, method);
  }

  mute(): void {
    this.setAttributes({ muted: true });
  }

  requestFullScreen(direction: number = 0): void {
    if (direction !== 0 && direction !== 90 && direction !== -90) {
      throw new PlayerError('InvalidArgument', 'requestFullScreen', 'direction must be 0, 90 or -90');
    }
    this.setFullScreen({ fullScreen: true, direction });
  }

  exitFullScreen(): void {
    this.setFullScreen({ fullScreen: false, direction: 0 });
  }

  requestPictureInPicture(): void {
    this.setPip(true);
  }

  exitPictureInPicture(): void {
    this.setPip(false);
  }

  async snapshot(req: SnapshotRequest): Promise<SnapshotResult> {
    // While a stream connects, its screen may already show something (the
    // TV's words, where they go into the stream): `view` is what the screen shows.
    const connectingView = this.current === 'connecting' && req.sourceType === 'view';
    if (!this.session || !(this.current === 'playing' || this.current === 'paused' || this.current === 'reconnecting' || connectingView)) {
      throw new PlayerError('NoFrame', 'snapshot');
    }
    if (!connectingView) return this.session.snapshot(req);
    try {
      return await this.session.snapshot(req);
    } catch {
      throw new PlayerError('NoFrame', 'snapshot');
    }
  }

  /**
   * The TV's idle screen appeared or went away; the daemon wires the screen
   * here. Together with picture-in-picture it decides what "in background"
   * means on a TV (see inBackground).
   */
  setIdleScreenShowing(on: boolean): void {
    if (this.idleScreen === on) return;
    this.idleScreen = on;
    this.session?.update(this.sessionOptions());
  }

  /**
   * On a TV the stream is in background when it is not what the TV shows:
   * it is a picture-in-picture window in a corner, or the idle screen is on
   * the TV. backgroundMute silences the output then, and `muted` stays as
   * the user set it.
   */
  get inBackground(): boolean {
    return this.pip || this.idleScreen;
  }

  /** Ends any session; called once at daemon shutdown. */
  async shutdown(): Promise<void> {
    this.policy.cancel();
    this.cancelWait();
    await this.closeSession();
  }

  private applyAttributeChange(changed: (keyof Attributes)[]): void {
    if (changed.includes('src')) {
      if (!this.attrs.src) {
        void this.stop();
        return;
      }
      if (isActive(this.current) || this.current === 'waiting' || this.attrs.autoplay) {
        this.restart();
        return;
      }
    }
    if (!isActive(this.current)) {
      if (changed.includes('autoplay') && this.attrs.autoplay && this.attrs.src && !this.wantsPlay) this.play();
      return;
    }
    if (changed.some((k) => this.deps.engine.restartKeys.includes(k))) this.restart();
    else this.session?.update(this.sessionOptions());
  }

  private restart(): void {
    this.setIntent(true);
    this.cancelWait();
    this.policy.reset();
    const old = this.session;
    this.session = null;
    if (old) void old.stop().catch((err) => this.deps.log.warn({ err }, 'stopping the old session failed'));
    this.openSession();
  }

  private openSession(): void {
    // Never two sessions: one still held is ended before the next starts.
    if (this.session) void this.closeSession().catch((err) => this.deps.log.warn({ err }, 'stopping the old session failed'));
    const events = this.eventsFor(() => this.session === session);
    // The engine first: its worker starts connecting while `connecting` is
    // fanned out to every subscriber. Engine events arrive asynchronously,
    // so none can overtake this state.
    const session = this.deps.engine.open(this.sessionOptions(), events);
    this.session = session;
    this.changeState('connecting');
  }

  private async closeSession(): Promise<void> {
    const s = this.session;
    this.session = null;
    this.net = {};
    if (s) await s.stop();
  }

  private sessionOptions(): SessionOptions {
    const audioMuted = this.attrs.muted || (this.attrs.backgroundMute && this.inBackground);
    return { attributes: this.attributes, fullScreen: { ...this.fs }, pictureInPicture: this.pip, audioMuted };
  }

  // Events from a session that has been replaced are dropped here, so a late
  // message from an old worker can never move the current state.
  private eventsFor(isCurrent: () => boolean): EngineEvents {
    const guard =
      <A extends unknown[]>(fn: (...a: A) => void) =>
      (...a: A) => {
        if (isCurrent()) fn(...a);
      };
    return {
      code: guard((code: StatusCode, detail?: string) => {
        this.sendCode(code, detail);
        if (code === 2004) {
          this.policy.reset();
          this.waitInfo = null;
          this.backoffMs = this.backoff.firstMs;
          if (this.current === 'connecting' || this.current === 'reconnecting') this.changeState('playing');
        }
      }),
      netstatus: guard((info: NetStatus) => {
        this.net = info;
        this.emit('netstatus', { info });
      }),
      volume: guard((volume: number) => this.emit('audiovolumenotify', { volume })),
      dropped: guard((code: StatusCode | null, detail: string) => {
        if (code !== null) this.sendCode(code, detail);
        this.onConnectionLost(detail, false);
      }),
      crashed: guard((detail: string) => {
        this.deps.log.error({ detail }, 'media process died');
        this.session = null;
        this.onConnectionLost(detail, true);
      }),
      ended: guard((detail: string) => {
        this.sendCode(2006, detail);
        if (this.canRejoin()) {
          this.enterWaiting();
          return;
        }
        this.setIntent(false);
        this.endSession('stopped');
      }),
      failed: guard((code: StatusCode | null, detail: string) => {
        if (code !== null) this.sendCode(code, detail);
        else this.deps.log.error({ detail }, 'session failed');
        this.setIntent(false);
        this.endSession('error', code !== null ? describe(code, detail) : detail);
      }),
    };
  }

  // A lost connection is retried by the policy; a dead media process is
  // retried the same way but with a fresh session, as nothing of it is left.
  private onConnectionLost(detail: string, sessionGone: boolean): void {
    const attempt = this.policy.next(() => {
      if (this.session) this.session.reconnect();
      else this.openSession();
      if (this.current !== 'connecting') this.changeState('reconnecting');
    });
    if (attempt === null) {
      const why = `${detail}; gave up after ${this.policy.attempts} attempts`;
      this.sendCode(-2301, why);
      if (this.canRejoin()) {
        this.enterWaiting();
        return;
      }
      this.setIntent(false);
      this.endSession('error', describe(-2301, why));
      return;
    }
    this.sendCode(2103, `${detail}; attempt ${attempt} of ${this.policy.attempts} in ${this.policy.intervalMs / 1000} s`);
    if (sessionGone) this.session = null;
    this.changeState('reconnecting');
  }

  private canRejoin(): boolean {
    return this.deps.rejoin !== false && this.deps.watcher !== undefined && this.wantsPlay && this.attrs.src !== '';
  }

  // The lesson is gone but still wanted: free the worker, say since when and
  // why, and watch the source until it is back. The first watch starts at
  // once, since an encoder that restarts is back within seconds.
  private enterWaiting(since?: string): void {
    this.policy.cancel();
    this.cancelWait();
    const last = this.last;
    this.waitInfo ??= { since: since ?? new Date().toISOString(), code: last?.code ?? 0, message: last?.message ?? '' };
    this.backoffMs = this.backoff.firstMs;
    this.changeState('waiting');
    void this.closeSession().catch((err) => this.deps.log.warn({ err }, 'closing the session failed'));
    this.watchAfter(0);
  }

  private watchAfter(delayMs: number): void {
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      if (this.current !== 'waiting' || !this.deps.watcher) return;
      const w = this.deps.watcher.watch(this.attrs.src);
      this.watching = w;
      void w.result.then(
        (r) => {
          if (this.watching !== w) return;
          this.watching = null;
          if (this.current !== 'waiting') return;
          if (r.live) {
            this.deps.log.info({ detail: r.detail }, 'the stream is back; playing again');
            this.policy.reset();
            this.openSession();
            return;
          }
          if (r.heldMs >= HELD_RESETS_BACKOFF_MS) this.backoffMs = this.backoff.firstMs;
          const delay = this.backoffMs;
          this.backoffMs = Math.min(this.backoffMs * 2, this.backoff.maxMs);
          this.deps.log.debug({ detail: r.detail, heldMs: r.heldMs, nextMs: delay }, 'the stream is not back yet');
          this.watchAfter(delay);
        },
        (err) => {
          this.deps.log.warn({ err }, 'watching the source failed');
          if (this.watching === w) this.watching = null;
          if (this.current === 'waiting') this.watchAfter(this.backoff.maxMs);
        },
      );
    }, delayMs);
  }

  private cancelWait(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    const w = this.watching;
    this.watching = null;
    w?.cancel();
  }

  // The state is announced at once; freeing the worker follows in the background.
  private endSession(state: 'stopped' | 'error', errMsg?: string): void {
    // An attempt scheduled by an earlier drop must not reopen what has ended.
    this.policy.cancel();
    this.changeState(state);
    if (state === 'error') this.emit('playererror', { errMsg: errMsg ?? 'playback failed' });
    void this.closeSession().catch((err) => this.deps.log.warn({ err }, 'closing the session failed'));
  }

  private sendCode(code: StatusCode, detail?: string): void {
    const message = describe(code, detail);
    this.last = { code, message, at: new Date().toISOString() };
    // 2005 (progress) comes every second while playing: debug, so the info log stays readable.
    if (code === 2005) this.deps.log.debug({ code, detail }, 'status');
    else this.deps.log.info({ code, detail }, 'status');
    this.emit('statechange', { code, message });
  }

  // The one place the state changes; it announces only real changes.
  private changeState(next: PlayerState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    if (!isActive(next)) this.net = {};
    this.emit('state', { state: next, previous });
  }

  private setIntent(playing: boolean): void {
    if (this.wantsPlay === playing) return;
    this.wantsPlay = playing;
    this.emit('intent', { playing });
  }

  private setFullScreen(next: FullScreenState): void {
    if (next.fullScreen === this.fs.fullScreen && next.direction === this.fs.direction) return;
    this.fs = next;
    this.session?.update(this.sessionOptions());
    this.emit('fullscreenchange', { ...next });
  }

  private setPip(on: boolean): void {
    if (this.pip === on) return;
    this.pip = on;
    this.session?.update(this.sessionOptions());
    this.emit('pictureinpicture', { pictureInPicture: on });
  }
}

// Decides what the TV shows when the player is not using it: whenever the
// player leaves the active states (idle, stopped, error) the idle screen runs
// in its own throw-away process (src/gst/idle-worker.ts) on the player's video
// sink; the moment playback starts (state `connecting`) that process is
// killed, because a KMS sink is exclusive and the playback worker needs it.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { Logger } from 'pino';
import type { VideoSinkPref } from '../gst/element-choice';
import type { FromIdleWorker, ToIdleWorker } from '../gst/idle-worker';
import type { LivePlayer, PlayerEventMap } from '../player/player';
import { isActive } from '../player/state';
import { idleTexts } from './idle-screen';

/** What the screen needs from the pairing service. */
export interface PairingSource {
  current(): { url: string; expiresAt: string };
  readonly controlUrl: string;
  on(event: 'change', fn: () => void): unknown;
  off(event: 'change', fn: () => void): unknown;
}

export interface TvScreenOptions {
  player: LivePlayer;
  pairing: PairingSource;
  /** config.name, the first line on the screen. */
  name: string;
  videoSink: VideoSinkPref;
  log: Logger;
}

export interface TvScreenEvents {
  /** The idle screen appeared (true) or went away (false); backgroundMute can follow this. */
  showing: [boolean];
}

const RESTART_MS = 2000;

export class TvScreen extends EventEmitter<TvScreenEvents> {
  private worker: ChildProcess | null = null;
  private ready = false;
  private lastCode: number | null;
  private started = false;
  private visible = false;
  private captures = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;

  private readonly onState = (e: PlayerEventMap['state'][0]): void => {
    if (isActive(e.state)) this.hide();
    else this.show();
  };
  private readonly onCode = (e: PlayerEventMap['statechange'][0]): void => {
    this.lastCode = e.code;
    if (this.worker) this.update();
  };
  private readonly onPairing = (): void => {
    if (this.worker) this.update();
  };

  constructor(private readonly opts: TvScreenOptions) {
    super();
    this.log = opts.log.child({ module: 'tv' });
    this.lastCode = opts.player.view().lastCode?.code ?? null;
  }

  /** True while the idle screen is on the TV (the lead's backgroundMute can use it). */
  get showing(): boolean {
    return this.visible;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.opts.player.on('state', this.onState);
    this.opts.player.on('statechange', this.onCode);
    this.opts.pairing.on('change', this.onPairing);
    if (!isActive(this.opts.player.state)) this.show();
  }

  /** The idle screen as it is drawn now, as PNG (captured through the pipeline's snap branch). */
  capture(): Promise<Buffer> {
    if (!this.worker || !this.ready) return Promise.reject(new Error('the idle screen is not showing'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.captures.set(id, { resolve, reject });
      this.send({ t: 'capture', id });
    });
  }

  /**
   * Takes the idle screen off the sink and resolves once its process is gone.
   * For the engine: awaiting this before a playback worker opens a KMS sink
   * closes the gap between SIGKILL and the kernel releasing the display.
   */
  release(): Promise<void> {
    return this.kill();
  }

  async stop(): Promise<void> {
    this.started = false;
    this.opts.player.off('state', this.onState);
    this.opts.player.off('statechange', this.onCode);
    this.opts.pairing.off('change', this.onPairing);
    await this.kill();
  }

  private show(): void {
    if (!this.started) return;
    if (this.worker) {
      this.update();
      return;
    }
    const child = fork(path.join(__dirname, '..', 'gst', 'idle-worker.js'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.worker = child;
    this.ready = false;
    child.on('message', (m: FromIdleWorker) => {
      if (child !== this.worker) return;
      if (m.t === 'ready') {
        this.ready = true;
        this.update();
      } else if (m.t === 'showing') {
        this.setVisible(true);
      } else if (m.t === 'captured') {
        const c = this.captures.get(m.id);
        this.captures.delete(m.id);
        if (m.png) c?.resolve(Buffer.from(m.png, 'base64'));
        else c?.reject(new Error(m.error ?? 'capture failed'));
      } else if (m.t === 'error') {
        this.log.warn({ detail: m.detail }, 'idle screen error');
      }
    });
    child.once('exit', (code, signal) => {
      if (child !== this.worker) return;
      // It died by itself while it should be showing: try again shortly.
      this.worker = null;
      this.ready = false;
      this.setVisible(false);
      this.failCaptures();
      this.log.warn({ code, signal }, 'idle screen process ended; restarting');
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.started && !isActive(this.opts.player.state)) this.show();
      }, RESTART_MS);
    });
  }

  // Synchronous on purpose: it runs inside the player's `connecting`
  // announcement, before the engine hands the sink to a playback worker.
  private hide(): void {
    void this.kill();
  }

  private kill(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.worker;
    this.worker = null;
    this.ready = false;
    this.failCaptures();
    this.setVisible(false);
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    return gone;
  }

  private update(): void {
    if (!this.ready) return;
    const { url } = this.opts.pairing.current();
    const texts = idleTexts({ name: this.opts.name, controlUrl: this.opts.pairing.controlUrl, state: this.opts.player.state, lastCode: this.lastCode });
    this.send({ t: 'show', videoSink: this.opts.videoSink, qr: url, ...texts });
  }

  private send(m: ToIdleWorker): void {
    if (this.worker?.connected) this.worker.send(m);
  }

  private setVisible(v: boolean): void {
    if (this.visible === v) return;
    this.visible = v;
    this.emit('showing', v);
  }

  private failCaptures(): void {
    for (const c of this.captures.values()) c.reject(new Error('the idle screen went away'));
    this.captures.clear();
  }
}

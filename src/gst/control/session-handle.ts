// The daemon's side of one session: forwards the player's commands to the
// worker and the worker's reports to the player's EngineEvents, and turns the
// worker dying unasked into `crashed`. When a hardware decoder fails on the
// first key frame, the session moves to a fresh worker with the software
// decoder (2108) and goes on.
import type { Logger } from 'pino';
import type { EngineEvents, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult } from '../../player/engine';
import type { FromWorker, PictureFile, SessionPlan, Still, WorkerPlan } from '../protocol';
import type { WorkerProcess } from './child-process';
import { sameView, viewFor, type ScreenLayout, type ViewGeometry } from '../../player/view';

const REPLY_TIMEOUT_MS = 5000;

/** Supplies the worker and plan that replace a failed hardware decoder, or says why there are none. */
export type SoftwareFallback = (attrs: SessionOptions['attributes']) => { worker: WorkerProcess; plan: SessionPlan } | string;

export class WorkerSessionHandle implements MediaSession {
  private stopping = false;
  /** The pause or resume on its way, so that a second one waits for the same answer. */
  private readonly inFlight = new Map<'pause' | 'resume', Promise<void>>();
  private gone: (() => void) | null = null;
  private plan: WorkerPlan | null = null;
  private view: ViewGeometry;
  private worker!: WorkerProcess;
  private switchedToSoftware = false;
  /** Why this handle ended its worker itself (the picture froze); reported as the crash's detail, so the player starts a fresh session. */
  private ending: string | null = null;

  constructor(
    worker: WorkerProcess,
    private readonly events: EngineEvents,
    private readonly log: Logger,
    private opts: SessionOptions,
    private readonly layout: ScreenLayout,
    private readonly softwareFallback: SoftwareFallback | null = null,
  ) {
    this.view = viewFor(opts, layout);
    this.attach(worker);
  }

  // Only the current worker's messages and exit count: a replaced one is
  // killed on purpose and whatever it still says is stale.
  private attach(worker: WorkerProcess): void {
    this.worker = worker;
    worker.listen((m) => worker === this.worker && this.onMessage(m));
    worker.child.once('exit', (code, signal) => {
      if (worker !== this.worker) return;
      this.gone?.();
      if (!this.stopping) this.events.crashed(this.ending ?? `media process ended (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
  }

  /** 2108 once, then the same stream on a fresh worker decoding in software; failed() if that is impossible. */
  private switchToSoftware(detail: string): void {
    const next = this.switchedToSoftware || !this.softwareFallback ? 'the software decoder failed too' : this.softwareFallback(this.opts.attributes);
    if (typeof next === 'string') {
      this.events.failed(null, `${detail}; ${next}`);
      return;
    }
    this.switchedToSoftware = true;
    this.log.warn({ detail }, 'hardware decoder failed on the first key frame; switching to software');
    this.events.code(2108, detail);
    const old = this.worker;
    this.plan = null;
    old.failPending('media process replaced');
    this.attach(next.worker);
    void old.kill();
    next.worker.ready.then(
      () => this.begin(next.plan),
      (err: Error) => this.fail(err.message),
    );
  }

  onGone(fn: () => void): void {
    this.gone = fn;
  }

  begin(plan: SessionPlan): void {
    if (this.stopping) return;
    // The view, mute and volume as of now: they may have changed while the
    // worker was getting ready, and an update() before then had no plan to go to.
    this.plan = { ...plan, view: this.view, muted: this.opts.audioMuted, volume: this.opts.attributes.volume / 100 };
    this.worker.send({ t: 'open', plan: this.plan });
  }

  fail(detail: string): void {
    if (this.stopping) return;
    this.events.failed(null, detail);
  }

  reconnect(): void {
    this.worker.send({ t: 'reconnect' });
  }

  pause(): Promise<void> {
    return this.command('pause');
  }

  resume(): Promise<void> {
    return this.command('resume');
  }

  update(opts: SessionOptions): void {
    this.opts = opts;
    if (this.plan) this.worker.send({ t: 'update', muted: opts.audioMuted, volume: opts.attributes.volume / 100, audioDevice: this.plan.audioDevice });
    // Full screen, PiP, orientation and objectFit change the running pipeline: no restart, no reconnect.
    const view = viewFor(opts, this.layout);
    if (sameView(view, this.view)) return;
    this.view = view;
    if (this.plan) this.worker.send({ t: 'geometry', view });
  }

  async snapshot(req: SnapshotRequest): Promise<SnapshotResult> {
    const m = await this.worker.request((id) => ({ t: 'snapshot', id, req }), REPLY_TIMEOUT_MS);
    if (m.t === 'reply' && m.ok) return m.result;
    throw new Error(m.t === 'reply' && !m.ok ? m.error : 'unexpected answer');
  }

  /** The TV's pairing card over the picture, or null to take it away. */
  corner(png: string | null): void {
    if (!this.stopping && this.plan) this.worker.send({ t: 'corner', png });
  }

  /** The TV's words on the screen in place of the picture, or null to take them away; false when this session cannot take them. */
  words(picture: PictureFile | null): boolean {
    if (this.stopping || !this.plan) return false;
    this.worker.send({ t: 'words', picture });
    return true;
  }

  /** The picture the sink shows now, small (at most `maxWidth` wide). */
  async still(maxWidth: number): Promise<Still> {
    if (this.stopping || !this.plan) throw new Error('no session is showing a picture');
    const m = await this.worker.request((id) => ({ t: 'still', id, maxWidth }), REPLY_TIMEOUT_MS);
    if (m.t === 'still' && m.still) return m.still;
    throw new Error(m.t === 'still' && m.error ? m.error : 'unexpected answer');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.failPending('media process ended');
    await this.worker.kill();
  }

  private command(cmd: 'pause' | 'resume'): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('the session has ended'));
    const on = this.inFlight.get(cmd);
    if (on) return on;
    const p = this.worker.request((id) => ({ t: cmd, id }), REPLY_TIMEOUT_MS).then(
      () => undefined,
      (err: Error) => {
        throw new Error(/did not answer/.test(err.message) ? `the media process did not ${cmd}` : err.message);
      },
    );
    const done = p.finally(() => this.inFlight.delete(cmd));
    this.inFlight.set(cmd, done);
    return done;
  }

  private readonly handlers: { [K in FromWorker['t']]: (m: Extract<FromWorker, { t: K }>) => void } = {
    ready: () => undefined,
    code: (m) => this.events.code(m.code, m.detail),
    netstatus: (m) => this.events.netstatus(m.info),
    volume: (m) => this.events.volume(m.volume),
    dropped: (m) => this.events.dropped(m.code, m.detail),
    ended: (m) => this.events.ended(m.detail),
    failed: (m) => this.events.failed(m.code, m.detail),
    frozen: (m) => {
      this.ending = m.detail;
      void this.worker.kill();
    },
    'decoder-failed': (m) => this.switchToSoftware(m.detail),
    // Answers to requests are taken by the link; one arriving after its request gave up is dropped.
    reply: () => undefined,
    still: () => undefined,
    log: (m) => this.log[m.level](m.data, m.msg),
    ending: (m) => {
      this.ending = m.detail;
    },
    done: () => undefined,
  };

  private onMessage(m: FromWorker): void {
    if (this.stopping) return;
    const handle = this.handlers[m.t] as ((m: FromWorker) => void) | undefined;
    if (handle) handle(m);
    else this.log.debug({ m }, 'unexpected worker message');
  }
}

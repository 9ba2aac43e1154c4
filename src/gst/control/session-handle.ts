// The daemon's side of one session: forwards the player's commands to the
// worker and the worker's reports to the player's EngineEvents, and turns the
// worker dying unasked into `crashed`. When a hardware decoder fails on the
// first key frame, the session moves to a fresh worker with the software
// decoder (2108) and goes on.
import type { Logger } from 'pino';
import type { EngineEvents, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult } from '../../player/engine';
import type { StatusCode } from '../../player/status-codes';
import type { FromWorker, WorkerPlan } from '../protocol';
import type { WorkerProcess } from './child-process';
import { sameView, viewFor, type ScreenLayout, type ViewGeometry } from '../../player/view';

const REPLY_TIMEOUT_MS = 5000;

/** Supplies the worker and plan that replace a failed hardware decoder, or says why there are none. */
export type SoftwareFallback = (attrs: SessionOptions['attributes'], view: ViewGeometry) => { worker: WorkerProcess; plan: WorkerPlan } | string;

export class WorkerSessionHandle implements MediaSession {
  private stopping = false;
  private nextId = 1;
  private readonly replies = new Map<number, (m: FromWorker) => void>();
  private readonly waiting = new Map<string, { done: () => void; fail: (err: Error) => void }>();
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
      this.failReplies();
      this.gone?.();
      if (!this.stopping) this.events.crashed(this.ending ?? `media process ended (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
  }

  private failReplies(): void {
    for (const r of this.replies.values()) r({ t: 'reply', id: 0, ok: false, error: 'media process ended' });
    this.replies.clear();
    for (const w of this.waiting.values()) w.fail(new Error('media process ended'));
    this.waiting.clear();
  }

  /** 2108 once, then the same stream on a fresh worker decoding in software; failed() if that is impossible. */
  private switchToSoftware(detail: string): void {
    const next = this.switchedToSoftware || !this.softwareFallback ? 'the software decoder failed too' : this.softwareFallback(this.opts.attributes, this.view);
    if (typeof next === 'string') {
      this.events.failed(null, `${detail}; ${next}`);
      return;
    }
    this.switchedToSoftware = true;
    this.log.warn({ detail }, 'hardware decoder failed on the first key frame; switching to software');
    this.events.code(2108, detail);
    const old = this.worker;
    this.plan = null;
    this.failReplies();
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

  /** The view the session starts with (the engine puts it in the plan). */
  currentView(): ViewGeometry {
    return this.view;
  }

  begin(plan: WorkerPlan): void {
    if (this.stopping) return;
    // The view may have changed while the worker was getting ready, and mute
    // as of now: an update() before the worker was ready had no plan to go to.
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

  snapshot(req: SnapshotRequest): Promise<SnapshotResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        reject(new Error('the media process did not answer'));
      }, REPLY_TIMEOUT_MS);
      this.replies.set(id, (m) => {
        clearTimeout(timer);
        this.replies.delete(id);
        if (m.t === 'reply' && m.ok) resolve(m.result);
        else reject(new Error(m.t === 'reply' && !m.ok ? m.error : 'unexpected answer'));
      });
      this.worker.send({ t: 'snapshot', id, req });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.failReplies();
    await this.worker.kill();
  }

  // One pending command of each kind: a second pause while one is on its way
  // waits for the same answer instead of orphaning the first.
  private command(cmd: 'pause' | 'resume'): Promise<void> {
    if (this.stopping) return Promise.reject(new Error('the session has ended'));
    return new Promise((resolve, reject) => {
      const prev = this.waiting.get(cmd);
      const timer = setTimeout(() => {
        this.waiting.delete(cmd);
        entry.fail(new Error(`the media process did not ${cmd}`));
      }, REPLY_TIMEOUT_MS);
      const entry = {
        done: () => {
          clearTimeout(timer);
          prev?.done();
          resolve();
        },
        fail: (err: Error) => {
          clearTimeout(timer);
          prev?.fail(err);
          reject(err);
        },
      };
      this.waiting.set(cmd, entry);
      this.worker.send({ t: cmd });
    });
  }

  private onMessage(m: FromWorker): void {
    if (this.stopping) return;
    switch (m.t) {
      case 'code':
        this.events.code(m.code as StatusCode, m.detail);
        break;
      case 'netstatus':
        this.events.netstatus(m.info);
        break;
      case 'volume':
        this.events.volume(m.volume);
        break;
      case 'dropped':
        this.events.dropped(m.code as StatusCode | null, m.detail);
        break;
      case 'ended':
        this.events.ended(m.detail);
        break;
      case 'failed':
        this.events.failed(m.code as StatusCode | null, m.detail);
        break;
      case 'frozen':
        this.ending = m.detail;
        void this.worker.kill();
        break;
      case 'decoder-failed':
        this.switchToSoftware(m.detail);
        break;
      case 'reply':
        this.replies.get(m.id)?.(m);
        break;
      case 'log':
        this.log[m.level](m.data, m.msg);
        break;
      case 'ending':
        this.ending = m.detail;
        break;
      case 'done':
        this.waiting.get(m.cmd)?.done();
        this.waiting.delete(m.cmd);
        break;
      default:
        this.log.debug({ m }, 'unexpected worker message');
    }
  }
}

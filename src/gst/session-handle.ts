// The daemon's side of one session: forwards the player's commands to the
// worker and the worker's reports to the player's EngineEvents, and turns the
// worker dying unasked into `crashed`.
import type { Logger } from 'pino';
import type { EngineEvents, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult } from '../player/engine';
import type { StatusCode } from '../player/status-codes';
import type { FromWorker, WorkerPlan } from './ipc';
import type { WorkerProcess } from './worker-process';
import { sameView, viewFor, type ScreenLayout, type ViewGeometry } from './geometry';

const REPLY_TIMEOUT_MS = 5000;

export class WorkerSessionHandle implements MediaSession {
  private stopping = false;
  private nextId = 1;
  private readonly replies = new Map<number, (m: FromWorker) => void>();
  private readonly waiting = new Map<string, () => void>();
  private gone: (() => void) | null = null;
  private plan: WorkerPlan | null = null;
  private view: ViewGeometry;

  constructor(
    private readonly worker: WorkerProcess,
    private readonly events: EngineEvents,
    private readonly log: Logger,
    opts: SessionOptions,
    private readonly layout: ScreenLayout,
  ) {
    this.view = viewFor(opts, layout);
    worker.listen((m) => this.onMessage(m));
    worker.child.once('exit', (code, signal) => {
      for (const r of this.replies.values()) r({ t: 'reply', id: 0, ok: false, error: 'media process ended' });
      this.replies.clear();
      this.gone?.();
      if (!this.stopping) this.events.crashed(`media process ended (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    });
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
    // The view may have changed while the worker was getting ready.
    this.plan = { ...plan, view: this.view };
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
    const a = opts.attributes;
    if (this.plan) this.worker.send({ t: 'update', muted: a.muted, audioDevice: this.plan.audioDevice });
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
    await this.worker.kill();
  }

  private command(cmd: 'pause' | 'resume'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the media process did not ${cmd}`)), REPLY_TIMEOUT_MS);
      this.waiting.set(cmd, () => {
        clearTimeout(timer);
        resolve();
      });
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
      case 'reply':
        this.replies.get(m.id)?.(m);
        break;
      case 'done':
        this.waiting.get(m.cmd)?.();
        this.waiting.delete(m.cmd);
        break;
      default:
        this.log.debug({ m }, 'unexpected worker message');
    }
  }
}

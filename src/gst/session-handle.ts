// The daemon's side of one session: forwards the player's commands to the
// worker and the worker's reports to the player's EngineEvents, and turns the
// worker dying unasked into `crashed`.
import type { Logger } from 'pino';
import type { EngineEvents, MediaSession, SessionOptions, SnapshotRequest, SnapshotResult } from '../player/engine';
import type { StatusCode } from '../player/status-codes';
import type { FromWorker, ViewGeometry, WorkerPlan } from './ipc';
import type { WorkerProcess } from './worker-process';

const REPLY_TIMEOUT_MS = 5000;
/** The TV's full-screen size; the windowed picture keeps the spec's 300x225 proportion. */
const SCREEN = { width: 1920, height: 1080 };
const WINDOW = { width: 600, height: 450 };
const PIP = { width: 480, height: 360 };

export class WorkerSessionHandle implements MediaSession {
  private stopping = false;
  private nextId = 1;
  private readonly replies = new Map<number, (m: FromWorker) => void>();
  private readonly waiting = new Map<string, () => void>();
  private gone: (() => void) | null = null;
  private plan: WorkerPlan | null = null;

  constructor(
    private readonly worker: WorkerProcess,
    private readonly events: EngineEvents,
    private readonly log: Logger,
    private opts: SessionOptions,
  ) {
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

  begin(plan: WorkerPlan): void {
    if (this.stopping) return;
    this.plan = plan;
    this.worker.send({ t: 'open', plan });
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
    const a = opts.attributes;
    if (this.plan) this.worker.send({ t: 'update', muted: a.muted, audioDevice: this.plan.audioDevice });
  }

  snapshot(req: SnapshotRequest): Promise<SnapshotResult> {
    const id = this.nextId++;
    const view = req.sourceType === 'view' ? this.viewGeometry() : undefined;
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
      this.worker.send({ t: 'snapshot', id, req: { ...req, view } });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.worker.kill();
  }

  /** The picture as the TV shows it now: full screen turned by `direction`, or the window. */
  private viewGeometry(): ViewGeometry {
    const { fullScreen, pictureInPicture, attributes } = this.opts;
    const box = fullScreen.fullScreen ? SCREEN : pictureInPicture ? PIP : WINDOW;
    const rotate = fullScreen.fullScreen ? fullScreen.direction : attributes.orientation === 'horizontal' ? 90 : 0;
    return { ...box, rotate, fit: attributes.objectFit };
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
      case 'log':
        this.log[m.level](m.data, m.msg);
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

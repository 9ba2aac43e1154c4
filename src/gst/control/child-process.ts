// A child process of the daemon as the daemon sees it: the media worker of a
// session and the TV's card process alike. Forked with an IPC channel, ready
// once it says so (its binding loaded), answered by id, and killed outright
// when done (the binding can hang a graceful exit; the kernel frees all it held).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FromWorker, ToWorker } from '../protocol';
import type { HeldChild } from './early-worker';

/** The media worker's entry point. */
export const WORKER_SCRIPT = path.join(__dirname, '..', 'worker', 'worker.js');

interface Pending<From> {
  resolve(m: From): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface ChildLinkOptions {
  /** What the log and errors call the process ("media worker", "TV card process"). */
  name: string;
  log: Logger;
  /** Added to the daemon's environment. */
  env?: Record<string, string>;
  /** Node flags of the child (none by default). */
  execArgv?: string[];
  /** A process already forked with the same script and options (see early-worker.ts): taken over instead of forking. */
  adopt?: HeldChild;
}

/**
 * The one helper for the daemon's child processes. Messages are objects with
 * a type `t`; the first `{t: 'ready'}` resolves `ready`; a message whose `id`
 * matches a request() answers it; every other message goes to the listener.
 */
export class ChildLink<To extends { t: string }, From extends { t: string }> {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private listener: ((m: From) => void) | null = null;
  private readonly pending = new Map<number, Pending<From>>();
  private nextId = 1;
  private killed = false;

  constructor(
    script: string,
    private readonly opts: ChildLinkOptions,
    onExit?: (link: ChildLink<To, From>, why: string) => void,
  ) {
    this.child = opts.adopt?.child ?? fork(script, [], { env: { ...process.env, ...opts.env }, execArgv: opts.execArgv ?? [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('message', (m: From & { id?: unknown }) => {
        if (m.t === 'ready') return resolve();
        const answer = typeof m.id === 'number' ? this.pending.get(m.id) : undefined;
        if (answer) {
          this.pending.delete(m.id as number);
          clearTimeout(answer.timer);
          answer.resolve(m);
        } else this.listener?.(m);
      });
      this.child.once('exit', (code, signal) => {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`${opts.name} ended before it was ready (${why})`));
        this.failPending(`${opts.name} ended`);
        if (!this.killed) onExit?.(this, why);
      });
      this.child.once('error', (err) => opts.log.error({ err }, `${opts.name} could not start`));
    });
    this.ready.catch(() => undefined);
    if (opts.adopt) {
      // What the process said, or how it ended, before this link was made.
      const { held, ended } = opts.adopt;
      opts.adopt.release();
      for (const m of held) this.child.emit('message', m);
      if (ended) this.child.emit('exit', ended.code, ended.signal);
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process has ended. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  listen(fn: (m: From) => void): void {
    this.listener = fn;
  }

  send(m: To): void {
    if (this.child.connected) this.child.send(m);
  }

  /** Sends the message `make(id)` and resolves with the message that carries the same id; rejects when none comes within `timeoutMs` or the process ends. */
  request(make: (id: number) => To, timeoutMs: number): Promise<From> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.alive) return reject(new Error(`${this.opts.name} ended`));
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the ${this.opts.name} did not answer`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.send(make(id));
    });
  }

  /** Rejects every request still waiting for its answer. */
  failPending(why: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(why));
    }
    this.pending.clear();
  }

  /** Ends the process; resolves once it is gone. */
  kill(): Promise<void> {
    if (this.killed || !this.alive) {
      this.killed = true;
      return Promise.resolve();
    }
    this.killed = true;
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGKILL');
    });
  }
}

/**
 * The media worker's runtime. glibc gives every thread that contends for
 * malloc an arena of its own (up to 8 per core), and GStreamer's streaming
 * threads each keep one: two arenas keep the worker's anonymous memory small.
 * V8 needs little here (the reader and the bus relay; the live heap is about
 * 5 MiB): a 1 MiB young generation, a 64 MiB old-space cap, and
 * --expose-gc for the worker's collection every minute
 * (src/gst/worker/heap-tidy.ts). An
 * environment value wins over MALLOC_ARENA_MAX; LIVEPLAYER_BENCH_WORKER_FLAGS
 * (space-separated, empty for none) replaces the V8 flags, for benchmarks.
 */
export function workerSpawnOptions(env: NodeJS.ProcessEnv = process.env): { env: Record<string, string>; execArgv: string[] } {
  const flags = env.LIVEPLAYER_BENCH_WORKER_FLAGS;
  return {
    // pollBus and appsink pulls each park a libuv pool thread; with the
    // default 4, DNS lookups in the reader would wait behind them.
    env: { MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX ?? '2', UV_THREADPOOL_SIZE: '8' },
    execArgv: flags !== undefined ? flags.split(' ').filter(Boolean) : ['--max-semi-space-size=1', '--max-old-space-size=64', '--expose-gc'],
  };
}

/** A media worker: one session's pipeline (src/gst/worker/worker.ts). */
export class WorkerProcess extends ChildLink<ToWorker, FromWorker> {
  constructor(log: Logger, onExit: (w: WorkerProcess, why: string) => void, adopt?: HeldChild) {
    super(WORKER_SCRIPT, { name: 'media worker', log, ...workerSpawnOptions(), adopt }, (link, why) => onExit(link as WorkerProcess, why));
  }
}

// A media worker child process as the daemon sees it: forked, ready once the
// binding is loaded and the element factories probed, killed outright when
// done (the binding can hang a graceful exit; the kernel frees all it held).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from 'pino';
import type { FromWorker, ToWorker } from '../protocol';

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private listener: ((m: FromWorker) => void) | null = null;
  private killed = false;

  constructor(log: Logger, onExit: (w: WorkerProcess, why: string) => void) {
    this.child = fork(path.join(__dirname, '..', 'worker', 'worker.js'), [], {
      // pollBus and appsink pulls each park a libuv pool thread; with the
      // default 4, DNS lookups in the reader would wait behind them.
      env: { ...process.env, UV_THREADPOOL_SIZE: '8' },
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (m: FromWorker) => {
        if (m.t === 'ready') resolve();
        else this.listener?.(m);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', (code, signal) => {
        const why = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`media worker ended before it was ready (${why})`));
        if (!this.killed) onExit(this, why);
      });
      this.child.once('error', (err) => log.error({ err }, 'media worker could not start'));
    });
    this.ready.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  listen(fn: (m: FromWorker) => void): void {
    this.listener = fn;
  }

  send(m: ToWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  /** Ends the process; resolves once it is gone. */
  kill(): Promise<void> {
    if (this.killed || this.child.exitCode !== null || this.child.signalCode !== null) {
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

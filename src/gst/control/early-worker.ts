// The first media worker, forked before the daemon loads its own modules.
// A worker's Node start and the binding's load take about as long as the
// daemon's configuration, player and TV modules (measured: both near half a
// second on a cold start), so started first the worker is ready when the
// daemon first needs it, instead of half a second after. The engine adopts
// it as its first spare; until then its messages and its end are held here,
// as nothing else listens yet.
import { fork, type ChildProcess } from 'node:child_process';
import { WORKER_SCRIPT, workerSpawnOptions } from './child-process';

export interface HeldChild {
  child: ChildProcess;
  /** Messages that came before the adoption, in order. */
  held: unknown[];
  /** How it ended, if it ended before the adoption. */
  ended: { code: number | null; signal: NodeJS.Signals | null } | null;
  /** Stops holding: the adopter has its own listeners on `child` now. */
  release(): void;
}

let early: HeldChild | null = null;

/** Forks the worker now (once); a no-op when one is already waiting. */
export function forkEarlyWorker(env: NodeJS.ProcessEnv = process.env): void {
  if (early) return;
  const o = workerSpawnOptions(env);
  const child = fork(WORKER_SCRIPT, [], { env: { ...env, ...o.env }, execArgv: o.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const held: unknown[] = [];
  const h: HeldChild = { child, held, ended: null, release: () => undefined };
  const onMessage = (m: unknown): void => void held.push(m);
  const onExit = (code: number | null, signal: NodeJS.Signals | null): void => void (h.ended = { code, signal });
  // A failed fork is reported as its exit (ChildLink logs it when adopted).
  const onError = (): void => undefined;
  child.on('message', onMessage);
  child.once('exit', onExit);
  child.on('error', onError);
  h.release = () => {
    child.off('message', onMessage);
    child.off('exit', onExit);
    child.off('error', onError);
  };
  early = h;
}

/** The early worker for the engine to adopt, once; null when none was forked (a daemon started in-process). */
export function takeEarlyWorker(): HeldChild | null {
  const h = early;
  early = null;
  return h;
}

/** Kills an early worker nobody will adopt (--help, a bad configuration). */
export function dropEarlyWorker(): void {
  takeEarlyWorker()?.child.kill('SIGKILL');
}

// startDaemon from the test helpers, made fit for a loaded machine: the
// helper gives up after 20 s without listening and leaves that daemon
// running. Here the straggler is found by its unique --state-dir, killed by
// pid, and the start tried again.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../test/helpers/daemon';
import { BENCH_DAEMON_ARGS, SHIPPED_RUNTIME_ENV } from './players';

/** Pids whose command line contains `needle` (our own daemons, by their unique state dir). */
function pidsWith(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/**
 * The helper arms its 20 s listen timer synchronously inside startDaemon();
 * for that one call a 20 s timer becomes LISTEN_WAIT_MS. Under the load of
 * parallel test suites, probing the elements alone took 19 s.
 */
const LISTEN_WAIT_MS = 120000;
function withLongerListenWait<T>(start: () => Promise<T>): Promise<T> {
  const orig = global.setTimeout;
  const patched = ((fn: (...a: unknown[]) => void, ms?: number, ...rest: unknown[]) => orig(fn, ms === 20000 ? LISTEN_WAIT_MS : ms, ...rest)) as unknown as typeof setTimeout;
  global.setTimeout = patched;
  try {
    return start();
  } finally {
    global.setTimeout = orig;
  }
}

/** A running daemon; up to `attempts` starts, each straggler killed. */
export async function startBenchDaemon(opts: Omit<DaemonOptions, 'stateDir'> = {}, attempts = 3): Promise<RunningDaemon> {
  let last: Error = new Error('no attempt');
  for (let i = 0; i < attempts; i++) {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-bench-d-'));
    try {
      const d = await withLongerListenWait(() => startDaemon({ ...opts, env: { ...SHIPPED_RUNTIME_ENV, ...opts.env }, args: [...BENCH_DAEMON_ARGS, ...(opts.args ?? [])], stateDir }));
      return { ...d, stop: async () => (await d.stop(), rmSync(stateDir, { recursive: true, force: true })) };
    } catch (e) {
      last = e as Error;
      for (const pid of pidsWith(stateDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
      rmSync(stateDir, { recursive: true, force: true });
      process.stderr.write(`daemon start ${i + 1}/${attempts} failed: ${last.message.split('\n')[0]}\n`);
    }
  }
  throw last;
}

// Reads /proc for one process and its descendants: threads, open fds, RSS,
// peak RSS and CPU ticks. Used by the benchmark (CPU per 10 s, peak RSS), the
// soak (growth of threads/fds/RSS) and test/integration/engine/hygiene.test.ts. Linux only,
// no dependencies, never throws for a process that vanished meanwhile.
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks per second (getconf CLK_TCK); 100 on every Linux Node runs on. */
export const CLK_TCK = 100;

export interface ProcSample {
  pid: number;
  comm: string;
  threads: number;
  fds: number;
  rssKiB: number;
  /** VmHWM: the highest RSS the process reached. */
  hwmKiB: number;
  /** utime + stime, in ticks (CLK_TCK per second). */
  cpuTicks: number;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function statusField(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** One process, or null when it has gone. */
export function sampleProcess(pid: number): ProcSample | null {
  const stat = read(`/proc/${pid}/stat`);
  const status = read(`/proc/${pid}/status`);
  if (stat === null || status === null) return null;
  // comm may contain spaces and parentheses: the fields start after the last ')'.
  const close = stat.lastIndexOf(')');
  const comm = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat.slice(close + 2).split(' ');
  // f[0] is field 3 (state): utime is field 14, stime field 15.
  const cpuTicks = Number(f[11]) + Number(f[12]);
  let fds = 0;
  try {
    fds = readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    /* gone or not ours */
  }
  return {
    pid,
    comm,
    threads: statusField(status, 'Threads'),
    fds,
    rssKiB: statusField(status, 'VmRSS'),
    hwmKiB: statusField(status, 'VmHWM'),
    cpuTicks,
  };
}

/** Direct children of pid, from every thread's children list (needs CONFIG_PROC_CHILDREN, as on Debian). */
export function childPids(pid: number): number[] {
  const out = new Set<number>();
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const t of tasks) {
    const text = read(`/proc/${pid}/task/${t}/children`);
    for (const c of (text ?? '').split(' ')) if (c.trim()) out.add(Number(c));
  }
  return [...out];
}

/** pid and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const all: number[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.shift()!;
    all.push(p);
    todo.push(...childPids(p));
  }
  return all;
}

export interface TreeSample {
  /** The root process alone (null when it has gone). */
  root: ProcSample | null;
  /** Every descendant that answered (worker processes for the daemon). */
  children: ProcSample[];
  /** Sums over root and children. */
  threads: number;
  fds: number;
  rssKiB: number;
  /** Sum of each process's own peak: an upper bound on the tree's peak. */
  hwmKiB: number;
  cpuTicks: number;
}

/** The process and its descendants in one call; sums are over those still alive. */
export function sampleTree(pid: number): TreeSample {
  const [rootPid, ...rest] = processTree(pid);
  const root = sampleProcess(rootPid);
  const children = rest.map(sampleProcess).filter((s): s is ProcSample => s !== null);
  const all = root ? [root, ...children] : children;
  const sum = (k: keyof Pick<ProcSample, 'threads' | 'fds' | 'rssKiB' | 'hwmKiB' | 'cpuTicks'>) => all.reduce((a, s) => a + s[k], 0);
  return { root, children, threads: sum('threads'), fds: sum('fds'), rssKiB: sum('rssKiB'), hwmKiB: sum('hwmKiB'), cpuTicks: sum('cpuTicks') };
}

/**
 * Proportional and unique memory of a process from smaps_rollup, KiB. RSS
 * counts every shared page in full in each process that maps it (the node
 * binary, ~39 MiB, and the GStreamer libraries, ~47 MiB, in both the daemon
 * and its workers); PSS splits shared pages between their users, USS counts
 * only the process's own. Zeros when the file cannot be read.
 */
export function memoryShares(pid: number): { pssKiB: number; ussKiB: number } {
  const text = read(`/proc/${pid}/smaps_rollup`);
  if (text === null) return { pssKiB: 0, ussKiB: 0 };
  return { pssKiB: statusField(text, 'Pss'), ussKiB: statusField(text, 'Private_Clean') + statusField(text, 'Private_Dirty') };
}

/** CPU seconds from ticks. */
export const ticksToSeconds = (ticks: number): number => ticks / CLK_TCK;

/**
 * Anonymous memory of a process, KiB: RssAnon from status (the heap, malloc
 * arenas, thread stacks; what growth means, since the kernel drops and refills
 * file pages at will) and Pss_Anon from smaps_rollup. Null when it has gone.
 */
export function anonMemory(pid: number): { rssAnonKiB: number; pssAnonKiB: number; pssKiB: number } | null {
  const status = read(`/proc/${pid}/status`);
  if (status === null) return null;
  const rollup = read(`/proc/${pid}/smaps_rollup`) ?? '';
  return { rssAnonKiB: statusField(status, 'RssAnon'), pssAnonKiB: statusField(rollup, 'Pss_Anon'), pssKiB: statusField(rollup, 'Pss') };
}

/** Least-squares slope of ys over xs (NaN with fewer than two points). */
export function fitSlope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return NaN;
  const mx = xs.slice(0, n).reduce((a, x) => a + x, 0) / n;
  const my = ys.slice(0, n).reduce((a, y) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den > 0 ? num / den : NaN;
}

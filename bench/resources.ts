// CPU seconds per 10 s of steady playback, peak RSS and PSS, per player, from
// /proc. For liveplayerd the daemon's whole process tree counts (the node
// process, the playing worker, the spare worker when one stands by, the TV's
// card process): that is what the board pays for it. Each of its processes is
// also recorded on its own, so the bill can be read line by line.
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { launch, type PlayerKind } from './players';
import { anonMemory, memoryShares, sampleTree, ticksToSeconds, type ProcSample } from './proc-stats';
import type { Source } from './servers';
import { sleep } from './time';

export interface ProcessBill {
  /** daemon, playing worker, spare worker, idle-worker (the TV's cards), or the player's own name. */
  role: string;
  cpu10s: number;
  pssMiB: number;
  rssAnonMiB: number;
}

export interface ResourceSample {
  player: PlayerKind;
  /** liveplayerd only: its extra arguments, when a variant was measured (e.g. --spare-worker idle). */
  variant?: string;
  run: number;
  /** CPU seconds used during a 10 s window of playback. */
  cpu10s: number;
  /** Sum of VmHWM over the process tree at the end of the window, MiB. */
  peakRssMiB: number;
  /** liveplayerd: the daemon's VmHWM plus its largest worker's (the playing one), leaving out the idle spare. */
  daemonWorkerMiB?: number;
  /** Sum of PSS over the tree at the end of the window (shared pages split between the processes that map them), MiB. */
  pssMiB?: number;
  /** liveplayerd: CPU seconds per 10 s of the daemon process alone (the rest is its workers). */
  daemonCpu10s?: number;
  /** Per process of the tree. */
  bill?: ProcessBill[];
  /** Processes in the tree (liveplayerd: daemon + workers). */
  processes: number;
  error?: string;
}

function scriptOf(pid: number): string {
  try {
    return path.basename(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.endsWith('.js')) ?? '');
  } catch {
    return '';
  }
}

function roles(root: ProcSample, children: ProcSample[], before: Map<number, number>): Map<number, string> {
  const out = new Map<number, string>([[root.pid, root.comm === 'node' ? 'daemon' : root.comm]]);
  const used = (c: ProcSample) => c.cpuTicks - (before.get(c.pid) ?? c.cpuTicks);
  const media = children.filter((c) => scriptOf(c.pid) === 'worker.js').sort((a, b) => used(b) - used(a));
  media.forEach((c, i) => out.set(c.pid, i === 0 ? 'playing worker' : 'spare worker'));
  for (const c of children) if (!out.has(c.pid)) out.set(c.pid, scriptOf(c.pid).replace(/\.js$/, '') || c.comm);
  return out;
}

/** Starts `kind` cold on `src`, lets it settle `settleMs` after the first frame, then measures `windowMs`. */
export async function resourcesOnce(kind: PlayerKind, src: Source, run: number, windowMs = 10000, settleMs = 6000, args: string[] = []): Promise<ResourceSample> {
  const s: ResourceSample = { player: kind, run, cpu10s: NaN, peakRssMiB: NaN, processes: 0, ...(args.length ? { variant: args.join(' ') } : {}) };
  // quiet: ffmpeg without showinfo, which would add its checksums to the CPU bill.
  const p = launch(kind, src.url, { quiet: true, timeoutMs: 30000, args, server: src.key.startsWith('nginx') ? 'nginx' : 'nms' });
  try {
    // The quiet ffmpeg prints no marker: give every player the same fixed start instead of waiting for one.
    if (kind === 'ffmpeg') await sleep(2500);
    else await p.firstFrame;
    // Settling keeps the one-time costs of a start out of the window (run.ts SETTLE_MS).
    await sleep(settleMs);
    const a = sampleTree(p.proc.pid!);
    await sleep(windowMs);
    const b = sampleTree(p.proc.pid!);
    if (!b.root) throw new Error(`${kind} exited during the window\n${p.tail()}`);
    s.cpu10s = (ticksToSeconds(b.cpuTicks - a.cpuTicks) * 10000) / windowMs;
    s.peakRssMiB = b.hwmKiB / 1024;
    s.processes = 1 + b.children.length;
    const all = [b.root, ...b.children];
    const before = new Map([a.root, ...a.children].filter((x): x is ProcSample => x !== null).map((x) => [x.pid, x.cpuTicks]));
    const role = roles(b.root, b.children, before);
    s.bill = all.map((x) => ({
      role: role.get(x.pid) ?? x.comm,
      cpu10s: (ticksToSeconds(x.cpuTicks - (before.get(x.pid) ?? x.cpuTicks)) * 10000) / windowMs,
      pssMiB: memoryShares(x.pid).pssKiB / 1024,
      rssAnonMiB: (anonMemory(x.pid)?.rssAnonKiB ?? NaN) / 1024,
    }));
    s.pssMiB = s.bill.reduce((acc, x) => acc + x.pssMiB, 0);
    s.daemonCpu10s = (ticksToSeconds(b.root.cpuTicks - (a.root?.cpuTicks ?? 0)) * 10000) / windowMs;
    if (kind === 'liveplayerd') s.daemonWorkerMiB = (b.root.hwmKiB + Math.max(0, ...b.children.map((c) => c.hwmKiB))) / 1024;
  } catch (e) {
    s.error = (e as Error).message.split('\n')[0];
  } finally {
    await p.stop();
  }
  return s;
}

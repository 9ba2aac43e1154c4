// CPU seconds per 10 s of steady playback and peak RSS, per player, from
// /proc. For liveplayerd the daemon's whole process tree counts (the node
// process, the playing worker and the idle spare worker): that is what the
// board pays for it.
import { launch, type PlayerKind } from './players';
import { memoryShares, sampleTree, ticksToSeconds } from './proc-stats';
import type { Source } from './servers';
import { sleep } from './time';

export interface ResourceSample {
  player: PlayerKind;
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
  /** Processes in the tree (liveplayerd: daemon + workers). */
  processes: number;
  error?: string;
}

/** Starts `kind` cold on `src`, lets it settle `settleMs` after the first frame, then measures `windowMs`. */
export async function resourcesOnce(kind: PlayerKind, src: Source, run: number, windowMs = 10000, settleMs = 6000): Promise<ResourceSample> {
  const s: ResourceSample = { player: kind, run, cpu10s: NaN, peakRssMiB: NaN, processes: 0 };
  // quiet: ffmpeg without showinfo, which would add its checksums to the CPU bill.
  const p = launch(kind, src.url, { quiet: true, timeoutMs: 30000 });
  try {
    // The quiet ffmpeg prints no marker: give every player the same fixed start instead of waiting for one.
    if (kind === 'ffmpeg') await sleep(2500);
    else await p.firstFrame;
    // Settling keeps liveplayerd's next spare (forked 1.5 s after play, ~0.3 CPU-s to start) out of the window.
    await sleep(settleMs);
    const a = sampleTree(p.proc.pid!);
    await sleep(windowMs);
    const b = sampleTree(p.proc.pid!);
    if (!b.root) throw new Error(`${kind} exited during the window\n${p.tail()}`);
    s.cpu10s = (ticksToSeconds(b.cpuTicks - a.cpuTicks) * 10000) / windowMs;
    s.peakRssMiB = b.hwmKiB / 1024;
    s.processes = 1 + b.children.length;
    s.pssMiB = [b.root, ...b.children].reduce((a, x) => a + memoryShares(x.pid).pssKiB, 0) / 1024;
    s.daemonCpu10s = (ticksToSeconds(b.root.cpuTicks - (a.root?.cpuTicks ?? 0)) * 10000) / windowMs;
    if (kind === 'liveplayerd') s.daemonWorkerMiB = (b.root.hwmKiB + Math.max(0, ...b.children.map((c) => c.hwmKiB))) / 1024;
  } catch (e) {
    s.error = (e as Error).message.split('\n')[0];
  } finally {
    await p.stop();
  }
  return s;
}

// The peak resident size of a process's children (the daemon's media
// workers), sampled from /proc: VmHWM is the kernel's own high-water mark,
// so a spike between two samples is still counted while the child lives.
import { readdirSync, readFileSync } from 'node:fs';

/** The pids whose parent is `pid`, read from /proc. */
export function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

function hwmKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export interface PeakSampler {
  /** Highest VmHWM of any child so far, in MiB. */
  peakMiB(): number;
  stop(): number;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Samples the children whose command line matches `only` (default: the media workers, not the TV's idle-screen worker). */
export function samplePeakChildRss(parentPid: number, everyMs = 100, only: RegExp = /gst\/worker\.js/): PeakSampler {
  let peak = 0;
  const sample = (): void => {
    for (const c of children(parentPid)) if (only.test(cmdline(c))) peak = Math.max(peak, hwmKiB(c));
  };
  const timer = setInterval(sample, everyMs);
  return {
    peakMiB: () => peak / 1024,
    stop: () => {
      sample();
      clearInterval(timer);
      return peak / 1024;
    },
  };
}

// What the figures were measured on, recorded with every result.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

function sh(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** CPU, cores, memory and the versions of everything measured. */
export function machineInfo(): Record<string, string> {
  const cpu = /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  let debian = 'unknown';
  try {
    debian = readFileSync('/etc/debian_version', 'utf8').trim();
  } catch {
    /* not Debian */
  }
  return {
    cpu,
    nproc: String(os.cpus().length),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    debian,
    kernel: os.release(),
    node: process.version,
    gstreamer: sh('gst-launch-1.0', ['--version']).split('\n')[1] ?? 'unknown',
    ffmpeg: sh('ffmpeg', ['-version']).split('\n')[0].replace(/ Copyright.*/, ''),
    mpv: sh('mpv', ['--version']).split('\n')[0].replace(/ Copyright.*/, ''),
  };
}

export const loadavg = (): number[] => os.loadavg();

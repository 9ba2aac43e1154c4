// Busy loops that hold the cores, so a test sees the machine as busy as a Pi
// decoding in software. stop() kills them; a crashed test kills them on exit.
import { spawn } from 'node:child_process';

/** One busy-loop process per core asked for. */
export function startCpuBurners(n: number): { stop: () => void } {
  const procs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const stop = () => procs.forEach((p) => p.exitCode === null && p.signalCode === null && p.kill('SIGKILL'));
  process.once('exit', stop);
  return { stop };
}

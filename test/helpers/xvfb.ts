// A private Xvfb on a display it picks itself (-displayfd), so parallel tests
// never collide; stop() ends it. The same start as geometry-xvfb.test.ts.
import { spawn } from 'node:child_process';

export async function startXvfb(): Promise<{ display: string; stop: () => Promise<void> }> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1920x1080x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start in 10 s')), 10000);
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
  return {
    display,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', reap);
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Busy-loop processes, one per core asked for, to make the machine as busy as a Pi decoding in software; stop() kills them. */
export function startCpuBurners(n: number): { stop: () => void } {
  const procs = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
  const stop = () => procs.forEach((p) => p.exitCode === null && p.kill('SIGKILL'));
  process.once('exit', stop);
  return { stop };
}

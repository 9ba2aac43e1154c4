// SSE subscribers held by a child process (bench/control-latency.js --hold),
// so that latency measured in the test process is the server's, not the
// cost of 50 or 100 in-process clients parsing events.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface Holders {
  /** Closes every subscriber; resolves with the `attributes` events each one saw. */
  release(): Promise<number[]>;
}

export async function holdSubscribers(base: string, token: string, n: number): Promise<Holders> {
  const script = path.resolve(__dirname, '../../bench/control-latency.js');
  const child = spawn(process.execPath, [script, '--url', base, '--token', token, '--hold', String(n)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (c: string) => (out += c));
  await new Promise<void>((resolve, reject) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return {
    release: async () => {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
      return JSON.parse(out.slice(out.indexOf('ready\n') + 6)) as number[];
    },
  };
}

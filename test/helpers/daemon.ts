// Runs the real daemon (`node dist/src/cli.js`) as a child process for
// end-to-end tests: its HTTP address and token, an authorised request helper,
// and an SSE subscriber that collects events.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const CLI = path.resolve(__dirname, '../../src/cli.js');

export interface DaemonEvent {
  event: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  at: number;
}

export interface RunningDaemon {
  proc: ChildProcess;
  base: string;
  stateDir: string;
  token(): string;
  /** Every stdout line so far (pino JSON). */
  logs(): string[];
  /** stderr so far (the last 10,000 characters). */
  stderr(): string;
  api(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Opens an SSE subscription; events accumulate in `events`. */
  subscribe(): Promise<Subscription>;
  /** Sends `signal` and resolves with the exit code/signal and the ms it took. */
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  stop(): Promise<void>;
}

export interface Subscription {
  events: DaemonEvent[];
  /** Resolves with the first `statechange` with this code after index `from` (default: any seen). */
  waitForCode(code: number, timeoutMs?: number, from?: number): Promise<DaemonEvent>;
  waitFor(pred: (e: DaemonEvent) => boolean, timeoutMs?: number, what?: string): Promise<DaemonEvent>;
  codes(): number[];
  close(): void;
}

export interface DaemonOptions {
  args?: string[];
  env?: Record<string, string>;
  stateDir?: string;
  /** Run the daemon as this user and group (tests of permissions run as root). */
  uid?: number;
  gid?: number;
  /** A cgroup's `cgroup.procs` file: the daemon (and so its children) starts in that cgroup. */
  cgroupProcs?: string;
}

/** Starts the daemon on 127.0.0.1 with fake sinks and no D-Bus unless `args` say otherwise. */
export async function startDaemon(opts: DaemonOptions = {}): Promise<RunningDaemon> {
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(os.tmpdir(), 'lp-e2e-'));
  const args = [CLI, '--http', '127.0.0.1:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', stateDir, ...(opts.args ?? [])];
  // tap's process-info hook (put back into NODE_OPTIONS by its own spawn wrapper) writes into
  // the worktree, which another user may not: `env -u` drops it just before node starts.
  let [cmd, argv] = opts.uid !== undefined ? ['env', ['-u', 'NODE_OPTIONS', process.execPath, ...args]] : [process.execPath, args];
  // The shell moves itself into the cgroup, then becomes the daemon.
  if (opts.cgroupProcs) [cmd, argv] = ['sh', ['-c', `echo $$ > '${opts.cgroupProcs}' && exec "$@"`, 'sh', cmd, ...argv]];
  const proc = spawn(cmd, argv, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], uid: opts.uid, gid: opts.gid });
  // A test that times out must not leave its daemon behind.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.removeListener('exit', reap));
  const lines: string[] = [];
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-10000)));
  const base = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`daemon did not listen in 20 s\n${stderr}`)), 20000);
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        if (lines.length > 5000) lines.shift();
        if (line.includes('"http listening"')) {
          clearTimeout(timer);
          resolve(`http://${JSON.parse(line).address}`);
        }
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited (${code}) before listening\n${stderr}`));
    });
  });
  // A daemon whose state dir cannot keep a token logs the one it holds in memory (see docs/deploy.md).
  const memoryToken = (): string | null => {
    for (const l of lines) if (l.includes('"apiToken"')) return JSON.parse(l).apiToken as string;
    return null;
  };
  const token = () => {
    const inMemory = memoryToken();
    return inMemory ?? readFileSync(path.join(stateDir, 'token'), 'utf8').trim();
  };
  const subs: Subscription[] = [];

  const api: RunningDaemon['api'] = (method, route, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(`${base}${route}`, {
        method,
        headers: { authorization: `Bearer ${token()}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            /* not JSON: keep text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });

  const subscribe = (): Promise<Subscription> =>
    new Promise((resolve, reject) => {
      const events: DaemonEvent[] = [];
      const waiters = new Set<() => void>();
      const req = http.get(`${base}/api/v1/events`, { headers: { authorization: `Bearer ${token()}`, accept: 'text/event-stream' } });
      req.on('response', (res) => {
        if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const ev = /^event: ?(.*)$/m.exec(block)?.[1];
            const data = /^data: ?(.*)$/m.exec(block)?.[1];
            if (!ev || data === undefined) continue;
            events.push({ event: ev, data: JSON.parse(data), at: performance.now() });
            for (const w of waiters) w();
          }
        });
        const sub: Subscription = {
          events,
          codes: () => events.filter((e) => e.event === 'statechange').map((e) => e.data.code as number),
          waitFor: (pred, timeoutMs = 15000, what = 'event') =>
            new Promise((res2, rej2) => {
              const check = () => {
                const hit = events.find(pred);
                if (hit) {
                  waiters.delete(check);
                  clearTimeout(timer);
                  res2(hit);
                }
              };
              const timer = setTimeout(() => {
                waiters.delete(check);
                rej2(new Error(`no ${what} within ${timeoutMs} ms; codes seen: ${sub.codes().join(', ')}`));
              }, timeoutMs);
              waiters.add(check);
              check();
            }),
          waitForCode: (code, timeoutMs, from = 0) =>
            sub.waitFor((e) => e.event === 'statechange' && e.data.code === code && events.indexOf(e) >= from, timeoutMs, `code ${code}`),
          close: () => req.destroy(),
        };
        subs.push(sub);
        resolve(sub);
      });
      req.on('error', reject);
    });

  const kill: RunningDaemon['kill'] = (signal = 'SIGTERM') =>
    new Promise((resolve) => {
      const t0 = performance.now();
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve({ code: proc.exitCode, signal: proc.signalCode, ms: 0 });
      proc.once('exit', (code, sig) => resolve({ code, signal: sig, ms: performance.now() - t0 }));
      proc.kill(signal);
    });

  return {
    proc,
    base,
    stateDir,
    token,
    logs: () => lines,
    stderr: () => stderr,
    api,
    subscribe,
    kill,
    async stop() {
      for (const s of subs) s.close();
      const r = kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await r;
      clearTimeout(timer);
      if (!opts.stateDir) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

// Control latency while many phones listen: p50/p99 of `POST /api/v1/player/mute`
// and `GET /api/v1/player` with N SSE subscribers connected. A phone's tap must
// feel instant while a class of phones listens: the target is p99 <= 10 ms
// with 50 subscribers while a stream plays (docs/performance.md).
//   node dist/bench/control-latency.js [--url http://127.0.0.1:8080] [--token T] [--subscribers 50] [--iterations 1000]
//   node dist/bench/control-latency.js --hold 50 ...   (only hold 50 subscribers: prints "ready", and
//     their event counts as JSON when stdin closes; tests use it to keep subscribers out of the server's process)
// The token comes from --token, LIVEPLAYER_TOKEN, or <LIVEPLAYER_STATE_DIR>/token.
// The HTTP integration test runs the same function against an in-process app.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { sleep } from './time';

export interface Stats {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LatencyResult {
  subscribers: number;
  iterations: number;
  mute: Stats;
  get: Stats;
  /** `attributes` events each subscriber saw (each timed mute sends one). */
  eventsPerSubscriber: number[];
}

export function stats(ms: number[]): Stats {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / s.length };
}

interface Sub {
  attributes: number;
  close(): void;
}

export function subscribe(base: string, headers: Record<string, string>): Promise<Sub> {
  return new Promise((resolve, reject) => {
    const sub: Sub = { attributes: 0, close: () => req.destroy() };
    const req = http.get(`${base}/api/v1/events`, { headers, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: HTTP ${res.statusCode}`));
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (chunk: string) => {
        buf += chunk;
        const frames = buf.split('\n\n');
        buf = frames.pop() ?? '';
        for (const f of frames) if (f.startsWith('event: attributes\n')) sub.attributes++;
      });
      resolve(sub);
    });
    req.on('error', (err) => (sub.attributes === 0 ? reject(err) : undefined));
  });
}

function call(agent: http.Agent, base: string, method: string, p: string, headers: Record<string, string>, body?: object): Promise<{ status: number; ms: number; text: string }> {
  const payload = body ? JSON.stringify(body) : undefined;
  const h = payload ? { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : headers;
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(`${base}${p}`, { method, headers: h, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Number(process.hrtime.bigint() - t0) / 1e6, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Measures against `base`; restores the muted attribute afterwards. */
export async function runLatency(o: { base: string; token: string; subscribers?: number; iterations?: number }): Promise<LatencyResult> {
  const n = o.subscribers ?? 50;
  const iterations = o.iterations ?? 1000;
  const headers = { authorization: `Bearer ${o.token}` };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const subs = await Promise.all(Array.from({ length: n }, () => subscribe(o.base, headers)));
  const first = await call(agent, o.base, 'GET', '/api/v1/player', headers);
  if (first.status !== 200) throw new Error(`GET /api/v1/player: HTTP ${first.status} ${first.text}`);
  const wasMuted = (JSON.parse(first.text) as { attributes: { muted: boolean } }).attributes.muted;
  const mute: number[] = [];
  const get: number[] = [];
  try {
    for (let i = 0; i < iterations + 20; i++) {
      // Unmute first so that every timed mute is a real change that fans out to all subscribers.
      await call(agent, o.base, 'PATCH', '/api/v1/player', headers, { muted: false });
      const m = await call(agent, o.base, 'POST', '/api/v1/player/mute', headers);
      const g = await call(agent, o.base, 'GET', '/api/v1/player', headers);
      if (m.status !== 200 || g.status !== 200) throw new Error(`mute ${m.status}, get ${g.status}`);
      if (i >= 20) {
        mute.push(m.ms);
        get.push(g.ms);
      }
    }
    await sleep(200);
    return { subscribers: n, iterations, mute: stats(mute), get: stats(get), eventsPerSubscriber: subs.map((s) => s.attributes) };
  } finally {
    await call(agent, o.base, 'PATCH', '/api/v1/player', headers, { muted: wasMuted }).catch(() => undefined);
    for (const s of subs) s.close();
    agent.destroy();
  }
}

export function formatResult(r: LatencyResult): string {
  const row = (name: string, s: Stats) => `${name.padEnd(26)} ${s.p50.toFixed(2).padStart(7)} ${s.p99.toFixed(2).padStart(7)} ${s.max.toFixed(2).padStart(7)}`;
  return [
    `control latency, ${r.subscribers} SSE subscribers, ${r.iterations} calls each (ms)`,
    `${'call'.padEnd(26)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} ${'max'.padStart(7)}`,
    row('POST /api/v1/player/mute', r.mute),
    row('GET /api/v1/player', r.get),
  ].join('\n');
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const base = arg('--url') ?? process.env.LIVEPLAYER_URL ?? 'http://127.0.0.1:8080';
  const stateDir = process.env.LIVEPLAYER_STATE_DIR;
  const token = arg('--token') ?? process.env.LIVEPLAYER_TOKEN ?? (stateDir ? fs.readFileSync(path.join(stateDir, 'token'), 'utf8').trim() : undefined);
  if (!token) throw new Error('no token: pass --token, LIVEPLAYER_TOKEN or LIVEPLAYER_STATE_DIR');
  const hold = arg('--hold');
  if (hold !== undefined) {
    const subs = await Promise.all(Array.from({ length: Number(hold) }, () => subscribe(base, { authorization: `Bearer ${token}` })));
    process.stdout.write('ready\n');
    process.stdin.resume();
    await new Promise((r) => process.stdin.on('end', r));
    process.stdout.write(`${JSON.stringify(subs.map((s) => s.attributes))}\n`);
    for (const s of subs) s.close();
    return;
  }
  const r = await runLatency({ base, token, subscribers: Number(arg('--subscribers') ?? 50), iterations: Number(arg('--iterations') ?? 1000) });
  console.log(formatResult(r));
}

if (require.main === module) {
  main().catch((err) => {
    console.error(String(err));
    process.exit(1);
  });
}

// `npm run soak`: N play/stop/src-switch cycles through the HTTP API, then M
// minutes of continuous play, sampling the daemon's threads, fds and RSS and
// its live worker processes; prints the growth per 1,000 cycles and per 10
// minutes and writes bench/results/soak-latest.{md,json}.
//   node dist/bench/soak.js [--cycles 10000] [--minutes 30] [--sample-every 100] [--frame-every 1]
// --frame-every N: only every Nth cycle waits for the first frame (2004); the
// others play, and stop while the worker is still starting or connecting.
// Waiting every time costs a worker start-up per cycle (~0.45 s here, more
// under load), which puts 10,000 cycles out of reach of a 3-hour session.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startBenchDaemon as startDaemon } from './daemon';
import { startNodeMediaServer, startPublisher, waitForStream } from '../test/helpers/media-servers';
import { onInterrupt } from './cleanup';
import { sampleTree } from './proc-stats';
import { sleep } from './time';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

const log = (msg: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

interface Point {
  /** Cycles done (phase 1) or seconds played (phase 2). */
  x: number;
  threads: number;
  fds: number;
  rssMiB: number;
  /** RSS of the daemon and its workers together. */
  treeRssMiB: number;
  workers: number;
}

function point(pid: number, x: number): Point {
  const t = sampleTree(pid);
  return { x, threads: t.root?.threads ?? NaN, fds: t.root?.fds ?? NaN, rssMiB: (t.root?.rssKiB ?? NaN) / 1024, treeRssMiB: t.rssKiB / 1024, workers: t.children.length };
}

/** Least-squares slope of y over x: growth that a single noisy end point would hide or invent. */
function slope(pts: Point[], k: keyof Omit<Point, 'x'>): number {
  const n = pts.length;
  if (n < 2) return NaN;
  const mx = pts.reduce((a, p) => a + p.x, 0) / n;
  const my = pts.reduce((a, p) => a + p[k], 0) / n;
  let num = 0;
  let den = 0;
  for (const p of pts) {
    num += (p.x - mx) * (p[k] - my);
    den += (p.x - mx) ** 2;
  }
  return num / den;
}

const KEYS = ['threads', 'fds', 'rssMiB', 'treeRssMiB', 'workers'] as const;

/** One table row per quantity: first, last, min, max and the fitted growth per `per` units of x. */
function growthTable(title: string, pts: Point[], per: number, unit: string): string {
  const lines = [`### ${title}`, '', `| quantity | first | last | min | max | growth per ${per} ${unit} (fit) | last − first |`, '|---|---:|---:|---:|---:|---:|---:|'];
  for (const k of KEYS) {
    const v = pts.map((p) => p[k]);
    const f = (x: number) => (Number.isFinite(x) ? (Math.abs(x) < 10 ? x.toFixed(2) : x.toFixed(1)) : 'n/a');
    lines.push(`| ${k} | ${f(v[0])} | ${f(v[v.length - 1])} | ${f(Math.min(...v))} | ${f(Math.max(...v))} | ${f(slope(pts, k) * per)} | ${f(v[v.length - 1] - v[0])} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const cycles = arg('--cycles', 10000);
  const minutes = arg('--minutes', 30);
  const every = arg('--sample-every', 100);
  const frameEvery = Math.max(1, arg('--frame-every', 1));
  const nms = await startNodeMediaServer();
  const stops: (() => Promise<void>)[] = [() => nms.stop()];
  const unregister = onInterrupt(async () => {
    for (const s of stops) await s().catch(() => undefined);
  });
  const failures: string[] = [];
  const started = new Date().toISOString();
  try {
    // A light stream: the soak is about leaks, not decoding cost.
    const pub = await startPublisher(nms.rtmpUrl('soak'));
    stops.unshift(() => pub.stop());
    await waitForStream(nms.rtmpUrl('soak'), 20000);
    const d = await startDaemon();
    stops.unshift(() => d.stop());
    const pid = d.proc.pid!;
    const sub = await d.subscribe();
    const srcs = [nms.rtmpUrl('soak'), nms.flvUrl('soak')];
    const cyclePts: Point[] = [point(pid, 0)];
    const t0 = performance.now();
    for (let i = 1; i <= cycles; i++) {
      // Switch the source, play (until the first frame on every frameEvery-th cycle), stop: every cycle takes and frees a worker.
      await d.api('PATCH', '/api/v1/player', { src: srcs[i % 2] });
      const from = sub.events.length;
      await d.api('POST', '/api/v1/player/play');
      if (i % frameEvery === 0) {
        try {
          await sub.waitForCode(2004, 15000, from);
        } catch (e) {
          failures.push(`cycle ${i}: ${(e as Error).message.slice(0, 200)}`);
        }
      }
      await d.api('POST', '/api/v1/player/stop');
      // The SSE subscriber keeps every event; forget the old ones so the soak measures the daemon, not itself.
      if (sub.events.length > 2000) sub.events.splice(0, sub.events.length - 100);
      if (i % every === 0) {
        cyclePts.push(point(pid, i));
        const p = cyclePts[cyclePts.length - 1];
        log(`cycle ${i}/${cycles} (${((performance.now() - t0) / i).toFixed(0)} ms each): threads ${p.threads}, fds ${p.fds}, rss ${p.rssMiB.toFixed(1)} MiB, tree ${p.treeRssMiB.toFixed(1)} MiB, workers ${p.workers}, failures ${failures.length}`);
      }
    }
    // Let the last stop's worker exit and the spare settle before the play phase.
    await sleep(3000);
    cyclePts.push(point(pid, cycles));
    const playPts: Point[] = [];
    await d.api('PATCH', '/api/v1/player', { src: srcs[0] });
    const from = sub.events.length;
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 15000, from);
    const p0 = performance.now();
    const stepMs = Math.min(10000, (minutes * 60000) / 6);
    while (performance.now() - p0 < minutes * 60000) {
      playPts.push(point(pid, (performance.now() - p0) / 1000));
      if (sub.events.length > 2000) sub.events.splice(0, sub.events.length - 100);
      await sleep(stepMs);
    }
    playPts.push(point(pid, (performance.now() - p0) / 1000));
    const state = (await d.api('GET', '/api/v1/player')).body.state as string;
    // Growth per cycle is judged after the first sample interval: the first plays warm caches once.
    const steady = cyclePts.length > 3 ? cyclePts.slice(1) : cyclePts;
    const md = [
      `# liveplayerd soak — ${started}`,
      '',
      `${cycles} cycles (PATCH src alternating RTMP / HTTP-FLV on node-media-server, POST play, ${frameEvery === 1 ? 'wait for 2004' : `wait for 2004 on every ${frameEvery}th cycle`}, POST stop), ${((performance.now() - t0) / 60000).toFixed(1)} min in all; then ${minutes} min of continuous play (state at the end: ${state}). Threads, fds and RSS are the daemon process's; tree RSS adds its workers; workers counts its live child processes (playing + spare).`,
      '',
      growthTable(`Cycles (samples every ${every} cycles; fit over samples after the first)`, steady, 1000, 'cycles'),
      '',
      growthTable('Continuous play (x in seconds)', playPts, 600, 's (10 min)'),
      '',
      failures.length ? `Cycles (of those that waited) without 2004 in 15 s: ${failures.length}\n${failures.slice(0, 10).map((f) => `- ${f}`).join('\n')}` : 'Every cycle reached 2004.',
      '',
    ].join('\n');
    const outDir = path.resolve(__dirname, '../../bench/results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'soak-latest.md'), md);
    writeFileSync(path.join(outDir, 'soak-latest.json'), JSON.stringify({ started, cycles, minutes, cyclePts, playPts, failures }, null, 2));
    process.stdout.write(md);
  } finally {
    unregister();
    for (const s of stops) await s().catch((e: Error) => log(`stopping: ${e.message}`));
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

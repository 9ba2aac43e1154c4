// How the playing worker's memory moves over time: one daemon plays the
// bench stream (1280x720, 30 fps, 2 Mb/s) from node-media-server and the
// playing worker's RSS, heap and thread count are sampled. Used to compare
// allocator settings (MALLOC_ARENA_MAX) and to look for growth.
//   node dist/bench/worker-rss.js [--minutes 3] [--every 10] [--env K=V ...]
import { readFileSync } from 'node:fs';
import { runScript, withBenchRig } from './rig';
import { sampleTree } from './proc-stats';
import { sleep } from './time';

function args(name: string): string[] {
  const out: string[] = [];
  process.argv.forEach((a, i) => a === name && out.push(process.argv[i + 1]));
  return out;
}
const num = (name: string, d: number) => Number(args(name)[0] ?? d);

/** The worker that plays: the child with the most CPU time (the spare idles). */
function playingWorker(pid: number): number | undefined {
  const kids = sampleTree(pid).children;
  return kids.sort((a, b) => b.cpuTicks - a.cpuTicks)[0]?.pid;
}

function status(pid: number): { rssMiB: number; threads: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rssMiB: kb('VmRSS') / 1024, threads: kb('Threads') };
}

async function main(): Promise<void> {
  const minutes = num('--minutes', 3);
  const every = num('--every', 10);
  const env = Object.fromEntries(args('--env').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  await withBenchRig({ env }, async (media, d) => {
    const src = media.sources.find((s) => s.key === 'nms-rtmp')!;
    const sub = await d.subscribe();
    await d.api('PATCH', '/api/v1/player', { src: src.url, muted: false });
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 30000);
    await sleep(3000);
    const w = playingWorker(d.proc.pid!)!;
    const t0 = Date.now();
    const pts: { s: number; rss: number }[] = [];
    while (Date.now() - t0 < minutes * 60000) {
      const st = status(w);
      pts.push({ s: (Date.now() - t0) / 1000, rss: st.rssMiB });
      process.stdout.write(`${((Date.now() - t0) / 1000).toFixed(0)} s: worker ${w} rss ${st.rssMiB.toFixed(1)} MiB threads ${st.threads}\n`);
      if (sub.events.length > 2000) sub.events.splice(0, sub.events.length - 100);
      await sleep(every * 1000);
    }
    const n = pts.length;
    const mx = pts.reduce((a, p) => a + p.s, 0) / n;
    const my = pts.reduce((a, p) => a + p.rss, 0) / n;
    const slope = pts.reduce((a, p) => a + (p.s - mx) * (p.rss - my), 0) / pts.reduce((a, p) => a + (p.s - mx) ** 2, 0);
    process.stdout.write(`env ${JSON.stringify(env)}: worker RSS ${pts[0].rss.toFixed(1)} -> ${pts[n - 1].rss.toFixed(1)} MiB, fit ${(slope * 60).toFixed(2)} MiB/min over ${minutes} min\n`);
  });
}

runScript(main);

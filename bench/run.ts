// `npm run bench`: starts nginx-rtmp, node-media-server and one publisher,
// then measures liveplayerd against gst-launch-1.0, ffmpeg and mpv, runs
// interleaved, and writes bench/results/latest.md and latest.json.
//   node dist/bench/run.js [--runs 5] [--quick] [--only ttff,resources,control,reconnect,healthz] [--name latest]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBenchDaemon as startDaemon } from './daemon';
import { controlOnce, healthzOnce } from './daemon-only';
import { publisherLoss, reconnectOnce, startReconnectRig } from './reconnect';
import { onInterrupt } from './cleanup';
import { loadavg, machineInfo } from './machine';
import { PEERS, type PlayerKind } from './players';
import { renderMarkdown, type BenchResults } from './report';
import { resourcesOnce } from './resources';
import { startBenchMedia, type BenchMedia } from './servers';
import { coldOnce, warmOnce } from './ttff';
import { sleep } from './time';

const PHASES = ['ttff', 'resources', 'control', 'reconnect', 'healthz'] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** Each run starts the rotation one place further, so no player always goes first. */
function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

async function ttffPhase(media: BenchMedia, r: BenchResults): Promise<void> {
  const d = await startDaemon();
  const unregister = onInterrupt(() => d.stop());
  try {
    const sub = await d.subscribe();
    const order: ('warm' | PlayerKind)[] = ['warm', 'liveplayerd', ...PEERS];
    for (let run = 0; run < r.runs; run++) {
      for (const src of media.sources) {
        for (const who of rotate(order, run)) {
          const s = who === 'warm' ? await warmOnce(d, sub, src, run) : await coldOnce(who, src, run);
          r.ttff.push(s);
          log(`ttff run ${run} ${src.key} ${s.player} ${s.mode}: ${s.ttff.toFixed(0)} ms${s.own !== undefined ? ` (key ${s.keyWait!.toFixed(0)}, own ${s.own.toFixed(0)})` : ''}${s.error ? ` ERROR ${s.error}` : ''}`);
          // The warm daemon forks its next spare 1.5 s after a play; let that and the last player's exit settle.
          await sleep(who === 'warm' ? 2000 : 500);
        }
      }
    }
  } finally {
    unregister();
    await d.stop();
  }
}

async function resourcesPhase(media: BenchMedia, r: BenchResults, windowMs: number): Promise<void> {
  const src = media.sources.find((s) => s.key === 'nms-rtmp')!;
  for (let run = 0; run < r.runs; run++) {
    for (const who of rotate(['liveplayerd', ...PEERS] as PlayerKind[], run)) {
      const s = await resourcesOnce(who, src, run, windowMs);
      r.resources.push(s);
      log(`resources run ${run} ${who}: cpu ${s.cpu10s.toFixed(2)} s/10 s, peak ${s.peakRssMiB.toFixed(0)} MiB, ${s.processes} processes${s.error ? ` ERROR ${s.error}` : ''}`);
      await sleep(500);
    }
  }
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = Number(arg('--runs') ?? (quick ? 2 : 5));
  const only = new Set((arg('--only') ?? PHASES.join(',')).split(','));
  const outDir = path.resolve(__dirname, '../../bench/results');
  const r: BenchResults = { startedAt: new Date().toISOString(), runs, quick, machine: machineInfo(), load: [], ttff: [], resources: [], control: [], reconnect: [], publisherLoss: [], healthz: [] };
  const mark = (phase: string) => r.load.push({ phase, loadavg: loadavg() });
  log(`starting servers and publisher; ${runs} runs${quick ? ', quick' : ''}`);
  const media = await startBenchMedia();
  const unregister = onInterrupt(() => media.stop());
  try {
    mark('start');
    if (only.has('ttff')) await ttffPhase(media, r);
    mark('after ttff');
    if (only.has('resources')) await resourcesPhase(media, r, quick ? 5000 : 10000);
    mark('after resources');
    if (only.has('control')) {
      const src = media.sources.find((s) => s.key === 'nms-rtmp')!;
      for (let run = 0; run < runs; run++) {
        const c = await controlOnce(src, run, quick ? 100 : 500);
        r.control.push(c);
        log(`control run ${run}: mute p50 ${c.muteP50.toFixed(1)} p99 ${c.muteP99.toFixed(1)}, get p50 ${c.getP50.toFixed(1)} p99 ${c.getP99.toFixed(1)} ms`);
      }
    }
    mark('after control');
    if (only.has('reconnect')) {
      const rig = await startReconnectRig(media.sources.filter((s) => s.key !== 'nms-flv'));
      const unregisterRig = onInterrupt(() => rig.stop());
      try {
        for (let run = 0; run < runs; run++) {
          for (const s of await reconnectOnce(rig, run)) {
            r.reconnect.push(s);
            log(`reconnect run ${run} ${s.source}: back → 2004 ${s.fromBack.toFixed(0)} ms${s.keyWait !== undefined ? ` (key frame after ${s.keyWait.toFixed(0)})` : ''}${s.error ? ` ERROR ${s.error}` : ''}`);
          }
          await sleep(2000);
        }
        r.publisherLoss = await publisherLoss(media, rig);
        log(`publisher killed and restarted: ${JSON.stringify(r.publisherLoss)}`);
      } finally {
        unregisterRig();
        await rig.stop();
      }
    }
    mark('after reconnect');
    if (only.has('healthz')) {
      for (let run = 0; run < runs; run++) {
        r.healthz.push(await healthzOnce());
        log(`healthz run ${run}: ${r.healthz[run].toFixed(0)} ms`);
      }
    }
    mark('end');
  } finally {
    unregister();
    await media.stop();
  }
  const md = renderMarkdown(r);
  mkdirSync(outDir, { recursive: true });
  const name = arg('--name') ?? 'latest';
  writeFileSync(path.join(outDir, `${name}.md`), md);
  writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(r, null, 2));
  process.stdout.write(md);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

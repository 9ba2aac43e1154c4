// `npm run bench`: starts nginx-rtmp, node-media-server and one publisher,
// then measures liveplayerd against gst-launch-1.0, ffmpeg and mpv, runs
// interleaved, and writes bench/results/latest.md and latest.json.
//   node dist/bench/run.js [--runs 5] [--quick] [--only ttff,resources,control,reconnect,healthz] [--players liveplayerd,gst-bare,gst-launch,ffmpeg,mpv] [--settle 15] [--name latest]
// The growth target is read from bench/results/growth-latest.json (node dist/bench/growth.js, 60 min);
// --render-only [--name latest] writes the table again from the saved JSON.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBenchDaemon as startDaemon } from './daemon';
import { controlOnce, healthzOnce } from './daemon-only';
import { publisherLoss, reconnectOnce, startReconnectRig } from './reconnect';
import { onInterrupt } from './cleanup';
import { loadavg, machineInfo } from './machine';
import { PEERS, type PlayerKind } from './players';
import { LEAN, renderMarkdown, type BenchResults, type GrowthSummary } from './report';
import { resourcesOnce } from './resources';
import { startBenchMedia, type BenchMedia } from './servers';
import { coldOnce, switchOnce, warmOnce } from './ttff';
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

async function ttffPhase(media: BenchMedia, r: BenchResults, players: Set<string>): Promise<void> {
  // Two warm daemons: as shipped, and with the spare given up while playing (its warm starts and switches cost what that saves).
  const d = await startDaemon();
  const lean = await startDaemon({ args: LEAN_ARGS });
  const unregister = onInterrupt(async () => (await d.stop(), await lean.stop()));
  const leanName = LEAN_ARGS.join(' ');
  try {
    const sub = await d.subscribe();
    const leanSub = await lean.subscribe();
    const nmsRtmp = media.sources.find((s) => s.key === 'nms-rtmp')!;
    const nmsFlv = media.sources.find((s) => s.key === 'nms-flv')!;
    type Who = 'warm' | 'warm-lean' | 'switch' | 'switch-lean' | PlayerKind;
    const order: Who[] = ['warm', 'warm-lean', 'switch', 'switch-lean', ...(['liveplayerd', ...PEERS] as PlayerKind[]).filter((p) => players.has(p))];
    for (let run = 0; run < r.runs; run++) {
      for (const src of media.sources) {
        for (const who of rotate(order, run)) {
          // A switch is measured once a run, between the two streams of the GOP-cache server.
          if ((who === 'switch' || who === 'switch-lean') && src.key !== 'nms-flv') continue;
          const s =
            who === 'warm' ? await warmOnce(d, sub, src, run)
            : who === 'warm-lean' ? await warmOnce(lean, leanSub, src, run, leanName)
            : who === 'switch' ? await switchOnce(d, sub, nmsRtmp, nmsFlv, run)
            : who === 'switch-lean' ? await switchOnce(lean, leanSub, nmsRtmp, nmsFlv, run, leanName)
            : await coldOnce(who, src, run);
          r.ttff.push(s);
          log(`ttff run ${run} ${src.key} ${s.player}${s.variant ? ` (${s.variant})` : ''} ${s.mode}: ${s.ttff.toFixed(0)} ms${s.own !== undefined ? ` (key ${s.keyWait!.toFixed(0)}, own ${s.own.toFixed(0)})` : ''}${s.error ? ` ERROR ${s.error}` : ''}`);
          // The warm daemon forks its next spare 1.5 s after a play (the lean one 1.5 s after a stop); let that and the last player's exit settle.
          await sleep(typeof who === 'string' && /warm|switch/.test(who) ? 2000 : 500);
        }
      }
    }
  } finally {
    unregister();
    await d.stop();
    await lean.stop();
  }
}

/** liveplayerd as shipped, and with the spare worker given up while a session plays. */
export const LEAN_ARGS = LEAN.split(' ');

/** The last growth run (bench/growth.ts, an hour long, run apart), for the growth target. */
function lastGrowth(outDir: string): GrowthSummary | null {
  try {
    return JSON.parse(readFileSync(path.join(outDir, 'growth-latest.json'), 'utf8')) as GrowthSummary;
  } catch {
    return null;
  }
}

/**
 * From the first picture to the window, the same for every player: past
 * the one-time costs of a start, so that the window is the steady play a
 * lesson is made of. For liveplayerd these are the next spare (forked 1.5 s
 * after play) and V8's memory reducer, which compacts the daemon's heap in
 * three full collections about 8-10 s after it starts (seen with
 * --trace-gc: "Mark-Compact (reduce)" 19.7 -> 15.2 MB, ~57 ms in all); with
 * 6 s it fell inside the window and was 0.10 of the daemon's 0.13 CPU-s.
 */
const SETTLE_MS = 15_000;

async function resourcesPhase(media: BenchMedia, r: BenchResults, windowMs: number, players: Set<string>): Promise<void> {
  const settleMs = r.settleMs ?? SETTLE_MS;
  // nginx-rtmp: the server the bare pipeline plays with rtmp2src, the element a user would pick.
  const src = media.sources.find((s) => s.key === 'nginx-rtmp')!;
  const all: { who: PlayerKind; args: string[] }[] = [{ who: 'liveplayerd', args: [] }, { who: 'liveplayerd', args: LEAN_ARGS }, ...PEERS.map((who) => ({ who, args: [] as string[] }))];
  const order = all.filter((x) => players.has(x.who));
  for (let run = 0; run < r.runs; run++) {
    for (const { who, args } of rotate(order, run)) {
      const s = await resourcesOnce(who, src, run, windowMs, settleMs, args);
      r.resources.push(s);
      const bill = (s.bill ?? []).map((b) => `${b.role} ${b.cpu10s.toFixed(2)} s ${b.pssMiB.toFixed(1)} MiB`).join('; ');
      log(`resources run ${run} ${who}${args.length ? ` ${args.join(' ')}` : ''}: cpu ${s.cpu10s.toFixed(2)} s/10 s, PSS ${s.pssMiB?.toFixed(1)} MiB, peak ${s.peakRssMiB.toFixed(0)} MiB, ${s.processes} processes${bill ? ` [${bill}]` : ''}${s.error ? ` ERROR ${s.error}` : ''}`);
      await sleep(500);
    }
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--render-only')) {
    // The table again from a saved run, with the growth run finished since.
    const outDir = path.resolve(__dirname, '../../bench/results');
    const name = arg('--name') ?? 'latest';
    const md = renderMarkdown(JSON.parse(readFileSync(path.join(outDir, `${name}.json`), 'utf8')) as BenchResults, lastGrowth(outDir));
    writeFileSync(path.join(outDir, `${name}.md`), md);
    process.stdout.write(md);
    return;
  }
  const quick = process.argv.includes('--quick');
  const runs = Number(arg('--runs') ?? (quick ? 2 : 5));
  const only = new Set((arg('--only') ?? PHASES.join(',')).split(','));
  const players = new Set((arg('--players') ?? ['liveplayerd', ...PEERS].join(',')).split(','));
  const outDir = path.resolve(__dirname, '../../bench/results');
  const settleS = Number(arg('--settle') ?? SETTLE_MS / 1000);
  if (!(settleS >= 0)) throw new Error(`--settle takes seconds (a number >= 0), not ${arg('--settle')}`);
  const r: BenchResults = { startedAt: new Date().toISOString(), runs, quick, machine: machineInfo(), load: [], ttff: [], resources: [], control: [], reconnect: [], publisherLoss: [], healthz: [], settleMs: settleS * 1000 };
  const mark = (phase: string) => r.load.push({ phase, loadavg: loadavg() });
  log(`starting servers and publisher; ${runs} runs${quick ? ', quick' : ''}`);
  const media = await startBenchMedia();
  const unregister = onInterrupt(() => media.stop());
  try {
    mark('start');
    if (only.has('ttff')) await ttffPhase(media, r, players);
    mark('after ttff');
    if (only.has('resources')) await resourcesPhase(media, r, quick ? 5000 : 10000, players);
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
  const md = renderMarkdown(r, lastGrowth(outDir));
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

// Memory growth while playing, per process: several daemons (one per
// runtime variant) and the bare gst-launch pipeline play the bench stream
// (1280x720, 30 fps, 2 Mb/s, AAC) from nginx-rtmp side by side for the same
// minutes, and every process's RssAnon, Pss_Anon and PSS is sampled. The
// slope of RssAnon (least squares, MiB per hour) is the figure: RSS also
// counts file pages, which the kernel drops and refills at will. Writes
// bench/results/<name>.{md,json} after every sample, so a long run that is
// cut short still leaves its figures.
//   node dist/bench/growth.js [--minutes 60] [--every 30] [--warmup 5] [--variants default,glibc,arena2,bare] [--name growth-latest]
//   node dist/bench/growth.js --reprocess bench/results/growth-latest.json
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startBenchDaemon } from './daemon';
import { onInterrupt } from './cleanup';
import { loadavg, machineInfo } from './machine';
import { barePipeline, gstLaunchDescription } from './players';
import { anonMemory, fitSlope, processTree, sampleProcess } from './proc-stats';
import { runScript } from './rig';
import { startBenchMedia } from './servers';
import { spawnManaged, type Managed } from '../test/helpers/media-servers';
import type { RunningDaemon } from '../test/helpers/daemon';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[growth ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

/** What each daemon variant changes: the environment of the daemon (inherited by its workers). */
export const VARIANTS: Record<string, { env: Record<string, string>; what: string }> = {
  // As shipped: the systemd unit sets MALLOC_ARENA_MAX=2 for the daemon, the worker gets it and its V8 flags from its spawn options.
  default: { env: {}, what: 'as shipped: MALLOC_ARENA_MAX=2 (daemon and workers), daemon V8 --max-semi-space-size=1, worker V8 --max-semi-space-size=1 --max-old-space-size=64 --expose-gc (a full collection every minute)' },
  // glibc's own arena limit on 64-bit is 8 per core; the worker without V8 flags: the runtime before this change.
  glibc: { env: { MALLOC_ARENA_MAX: String(8 * 2), NODE_OPTIONS: '', LIVEPLAYER_BENCH_WORKER_FLAGS: '' }, what: 'before: glibc arenas (8 per core), V8 defaults everywhere' },
  arena2: { env: { MALLOC_ARENA_MAX: '2', NODE_OPTIONS: '', LIVEPLAYER_BENCH_WORKER_FLAGS: '' }, what: 'MALLOC_ARENA_MAX=2, V8 defaults everywhere' },
  v8only: { env: { MALLOC_ARENA_MAX: String(8 * 2) }, what: 'glibc arenas, V8 flags as shipped' },
  // Which V8 setting the worker's remaining growth follows: the young generation, the heap's growing strategy.
  young16: { env: { NODE_OPTIONS: '', LIVEPLAYER_BENCH_WORKER_FLAGS: '--max-old-space-size=64' }, what: 'MALLOC_ARENA_MAX=2, worker V8 default young generation, --max-old-space-size=64' },
  forsize: { env: { NODE_OPTIONS: '', LIVEPLAYER_BENCH_WORKER_FLAGS: '--max-semi-space-size=1 --max-old-space-size=64 --optimize-for-size' }, what: 'MALLOC_ARENA_MAX=2, worker V8 as shipped plus --optimize-for-size' },
  // Whether the worker's growth is the allocator's: jemalloc (Debian's libjemalloc2) for every process, or glibc with a fixed mmap threshold.
  jemalloc: { env: { LD_PRELOAD: 'libjemalloc.so.2' }, what: 'as shipped, with jemalloc (LD_PRELOAD=libjemalloc.so.2) instead of glibc malloc in every process' },
  mmap128: { env: { MALLOC_MMAP_THRESHOLD_: '131072' }, what: 'as shipped, with glibc\'s mmap threshold fixed at 128 KiB (MALLOC_MMAP_THRESHOLD_; no dynamic raise)' },
  // The shipped flags without --expose-gc: the worker leaves every collection to V8 (no full one every minute).
  nogc: { env: { LIVEPLAYER_BENCH_WORKER_FLAGS: '--max-semi-space-size=1 --max-old-space-size=64' }, what: 'as shipped, but the worker runs no full collection every minute (no --expose-gc): V8 alone decides' },
  old16: { env: { NODE_OPTIONS: '', LIVEPLAYER_BENCH_WORKER_FLAGS: '--max-semi-space-size=1 --max-old-space-size=16' }, what: 'MALLOC_ARENA_MAX=2, worker V8 --max-semi-space-size=1 --max-old-space-size=16' },
};

interface Proc {
  variant: string;
  pid: number;
  role: string;
  /** Seconds since the play phase began, and the memory at that time, MiB. */
  t: number[];
  rssAnon: number[];
  pssAnon: number[];
  pss: number[];
  cpuTicks: number[];
}

export interface GrowthRow {
  variant: string;
  role: string;
  pid: number;
  samples: number;
  /** How long the series that counts lasted (a media worker: while it played). */
  minutes: number;
  firstAnonMiB: number;
  lastAnonMiB: number;
  /** RssAnon slope over the samples after the warm-up, MiB per hour. */
  anonPerHour: number;
  /** The same over every sample, warm-up included. */
  anonPerHourAll: number;
  pssAnonPerHour: number;
  lastPssMiB: number;
  /** CPU seconds per 10 s over the run. */
  cpu10s: number;
}

export interface GrowthResults {
  startedAt: string;
  minutes: number;
  warmupMinutes: number;
  source: string;
  machine: Record<string, string>;
  load: number[][];
  variants: Record<string, string>;
  rows: GrowthRow[];
  events: string[];
}

const mib = (kib: number) => kib / 1024;

/** The script a node child runs (worker.js, idle-worker.js), from its command line. */
function scriptOf(pid: number): string {
  try {
    return path.basename(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.endsWith('.js')) ?? '');
  } catch {
    return '';
  }
}

/** A media worker plays from the first sample after which it used more than this share of a core (a spare idles near 0). */
const PLAYING_CPU_SHARE = 0.01;

/**
 * The part of a process's series that counts: for a media worker the time it
 * played (a spare that took over a session is a spare first, then a playing
 * worker, and only the second part is a play), for the others all of it.
 */
function segment(p: Proc): { from: number; role: string } {
  if (!/worker$/.test(p.role) || p.role === 'idle-worker') return { from: 0, role: p.role };
  for (let i = 0; i + 1 < p.t.length; i++) {
    const share = (p.cpuTicks[i + 1] - p.cpuTicks[i]) / 100 / (p.t[i + 1] - p.t[i]);
    if (share > PLAYING_CPU_SHARE) return { from: i, role: 'playing worker' };
  }
  return { from: 0, role: 'spare worker' };
}

export function rows(procs: Proc[], warmupS: number): GrowthRow[] {
  return procs
    .filter((p) => p.t.length >= 2)
    .map((whole) => {
      const seg = segment(whole);
      const cut = <T>(xs: T[]) => xs.slice(seg.from);
      const p = { ...whole, t: cut(whole.t), rssAnon: cut(whole.rssAnon), pssAnon: cut(whole.pssAnon), pss: cut(whole.pss), cpuTicks: cut(whole.cpuTicks) };
      const start = p.t[0] ?? 0;
      const after = p.t.map((t, i) => [t, i] as const).filter(([t]) => t - start >= warmupS).map(([, i]) => i);
      const pick = (ys: number[]) => after.map((i) => ys[i]);
      const span = p.t[p.t.length - 1] - p.t[0];
      return {
        variant: p.variant,
        role: seg.role,
        pid: p.pid,
        samples: p.t.length,
        minutes: span / 60,
        firstAnonMiB: p.rssAnon[0],
        lastAnonMiB: p.rssAnon[p.rssAnon.length - 1],
        anonPerHour: fitSlope(pick(p.t), pick(p.rssAnon)) * 3600,
        anonPerHourAll: fitSlope(p.t, p.rssAnon) * 3600,
        pssAnonPerHour: fitSlope(pick(p.t), pick(p.pssAnon)) * 3600,
        lastPssMiB: p.pss[p.pss.length - 1],
        cpu10s: span > 0 ? ((p.cpuTicks[p.cpuTicks.length - 1] - p.cpuTicks[0]) / 100 / span) * 10 : NaN,
      };
    });
}

export function renderGrowth(r: GrowthResults): string {
  const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  return [
    `# liveplayerd growth while playing — ${r.startedAt}`,
    '',
    `${r.minutes} min of play from ${r.source} (1280x720, 30 fps, 2 Mb/s + AAC, fake sinks), every variant and the bare pipeline side by side in the same minutes. Slopes are least-squares fits of RssAnon (anonymous resident memory) over each process's series after its first ${r.warmupMinutes} min (warm-up), in MiB per hour; "all" includes the warm-up. A media worker's series is the time it played (a spare that took over a replaced session counts from then); "minutes" is how long that was. A process replaced during the run (see the events) has a shorter series.`,
    `Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join('; ')}.`,
    `Load average (1/5/15 min) at start and end: ${r.load.map((l) => l.map((v) => v.toFixed(2)).join(' ')).join('; ')}.`,
    '',
    ...Object.entries(r.variants).map(([k, v]) => `- **${k}**: ${v}`),
    '',
    '| variant | process | minutes | RssAnon first → last, MiB | RssAnon slope, MiB/h | (all samples) | Pss_Anon slope, MiB/h | PSS at the end, MiB | CPU s per 10 s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map((x) => `| ${x.variant} | ${x.role} (${x.pid}) | ${f(x.minutes, 1)} | ${f(x.firstAnonMiB, 1)} → ${f(x.lastAnonMiB, 1)} | ${f(x.anonPerHour)} | ${f(x.anonPerHourAll)} | ${f(x.pssAnonPerHour)} | ${f(x.lastPssMiB, 1)} | ${f(x.cpu10s)} |`),
    '',
    r.events.length ? `Events:\n${r.events.map((e) => `- ${e}`).join('\n')}` : 'No process was replaced during the run.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const again = arg('--reprocess');
  if (again) {
    // The table again from a saved run's series (e.g. after a change to how rows are computed).
    const saved = JSON.parse(readFileSync(again, 'utf8')) as GrowthResults & { series: Proc[] };
    saved.rows = rows(saved.series, saved.warmupMinutes * 60);
    writeFileSync(again, JSON.stringify(saved, null, 2));
    writeFileSync(again.replace(/\.json$/, '.md'), renderGrowth(saved));
    process.stdout.write(renderGrowth(saved));
    return;
  }
  const minutes = Number(arg('--minutes') ?? 60);
  const every = Number(arg('--every') ?? 30);
  const warmup = Number(arg('--warmup') ?? Math.min(5, minutes / 4));
  const names = (arg('--variants') ?? 'default,glibc,arena2,bare').split(',');
  const name = arg('--name') ?? 'growth-latest';
  const outDir = path.resolve(__dirname, '../../bench/results');
  mkdirSync(outDir, { recursive: true });

  const media = await startBenchMedia();
  const daemons: { variant: string; d: RunningDaemon }[] = [];
  const bares: { variant: string; p: Managed }[] = [];
  const unregister = onInterrupt(async () => {
    for (const x of daemons) await x.d.stop().catch(() => undefined);
    for (const b of bares) await b.p.stop('SIGINT', 2000);
    await media.stop();
  });
  const src = media.sources.find((s) => s.key === 'nginx-rtmp')!;
  const r: GrowthResults = { startedAt: new Date().toISOString(), minutes, warmupMinutes: warmup, source: 'nginx-rtmp', machine: machineInfo(), load: [loadavg()], variants: {}, rows: [], events: [] };
  const procs = new Map<number, Proc>();
  try {
    for (const v of names) {
      if (v === 'bare') {
        r.variants.bare = `gst-launch-1.0 ${barePipeline(src.url, 'nginx')}`;
        bares.push({ variant: v, p: spawnManaged('gst-launch-1.0', barePipeline(src.url, 'nginx').split(' ')) });
        continue;
      }
      if (v === 'launch') {
        // The daemon's own pipeline, elements and all, without Node: what
        // GStreamer's part of a playing worker does to memory by itself.
        const desc = gstLaunchDescription(src.url, 'nginx');
        r.variants.launch = `gst-launch-1.0 ${desc}`;
        bares.push({ variant: v, p: spawnManaged('gst-launch-1.0', desc.split(' ')) });
        continue;
      }
      const spec = VARIANTS[v];
      if (!spec) throw new Error(`unknown variant ${v}; known: ${Object.keys(VARIANTS).join(', ')}, bare, launch`);
      r.variants[v] = spec.what;
      const d = await startBenchDaemon({ env: spec.env });
      daemons.push({ variant: v, d });
      const sub = await d.subscribe();
      await d.api('PATCH', '/api/v1/player', { src: src.url });
      await d.api('POST', '/api/v1/player/play');
      await sub.waitForCode(2004, 30000);
      sub.close();
      log(`${v}: playing (daemon ${d.proc.pid})`);
    }
    // Let every daemon's next spare start before the first sample.
    await sleep(5000);
    const t0 = Date.now();
    const roleOf = (variant: string, root: number, pid: number, cpu: number, siblings: { pid: number; cpu: number; script: string }[]) => {
      if (variant === 'bare') return 'gst-launch';
      if (variant === 'launch') return 'gst-launch (daemon pipeline)';
      if (pid === root) return 'daemon';
      const script = scriptOf(pid);
      if (script !== 'worker.js') return script ? script.replace(/\.js$/, '') : 'child';
      const media = siblings.filter((s) => s.script === 'worker.js');
      return cpu >= Math.max(...media.map((s) => s.cpu)) ? 'playing worker' : 'spare worker';
    };
    let samples = 0;
    const sample = () => {
      const t = (Date.now() - t0) / 1000;
      const roots = [...daemons.map((x) => ({ variant: x.variant, pid: x.d.proc.pid! })), ...bares.map((b) => ({ variant: b.variant, pid: b.p.proc.pid! }))];
      for (const root of roots) {
        const tree = processTree(root.pid).map((pid) => ({ pid, s: sampleProcess(pid) })).filter((x) => x.s !== null);
        const kids = tree.filter((x) => x.pid !== root.pid).map((x) => ({ pid: x.pid, cpu: x.s!.cpuTicks, script: scriptOf(x.pid) }));
        for (const { pid, s } of tree) {
          const m = anonMemory(pid);
          if (!m) continue;
          let p = procs.get(pid);
          if (!p) {
            p = { variant: root.variant, pid, role: roleOf(root.variant, root.pid, pid, s!.cpuTicks, kids), t: [], rssAnon: [], pssAnon: [], pss: [], cpuTicks: [] };
            if (procs.size > 0 && samples > 0) r.events.push(`${root.variant}: new process ${pid} (${p.role}) at ${(t / 60).toFixed(1)} min`);
            procs.set(pid, p);
          }
          p.t.push(t);
          p.rssAnon.push(mib(m.rssAnonKiB));
          p.pssAnon.push(mib(m.pssAnonKiB));
          p.pss.push(mib(m.pssKiB));
          p.cpuTicks.push(s!.cpuTicks);
        }
      }
      samples++;
      r.rows = rows([...procs.values()], warmup * 60);
      writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ ...r, series: [...procs.values()] }, null, 2));
      writeFileSync(path.join(outDir, `${name}.md`), renderGrowth(r));
    };
    // Why a session was replaced, from the daemons' own log (warnings and errors, lost connections).
    // logs() keeps only the last 5,000 lines: the place to go on from is found by the last line read.
    const seen = new Map<RunningDaemon, string>(daemons.map((x) => [x.d, x.d.logs().at(-1) ?? '']));
    const notable = () => {
      for (const x of daemons) {
        const lines = x.d.logs();
        const from = lines.lastIndexOf(seen.get(x.d) ?? '') + 1;
        for (const line of lines.slice(from)) {
          if (!/"level":(40|50|60)|"code":(2103|2105|-2301)\b/.test(line)) continue;
          try {
            const j = JSON.parse(line) as { time?: number; msg?: string; code?: number; detail?: string; why?: string };
            r.events.push(`${x.variant}: ${new Date(j.time ?? Date.now()).toISOString().slice(11, 19)} ${j.msg ?? ''}${j.code ? ` ${j.code}` : ''}${j.detail ? `: ${String(j.detail).slice(0, 200)}` : ''}${j.why ? ` (${j.why})` : ''}`);
          } catch {
            /* not JSON */
          }
        }
        seen.set(x.d, lines.at(-1) ?? '');
      }
    };
    while (Date.now() - t0 < minutes * 60000) {
      notable();
      sample();
      const line = r.rows.map((x) => `${x.variant}/${x.role.split(' ')[0]} ${x.lastAnonMiB.toFixed(1)}`).join(', ');
      log(`${((Date.now() - t0) / 60000).toFixed(1)} min: RssAnon MiB ${line}`);
      for (const b of bares) if (b.p.proc.exitCode !== null) throw new Error(`bare pipeline exited\n${b.p.stderr().slice(-2000)}`);
      await sleep(every * 1000);
    }
    notable();
    sample();
    r.load.push(loadavg());
    for (const x of daemons) {
      const state = (await x.d.api('GET', '/api/v1/player')).body.state as string;
      if (state !== 'playing') r.events.push(`${x.variant}: state at the end ${state}`);
    }
    r.rows = rows([...procs.values()], warmup * 60);
    const md = renderGrowth(r);
    writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ ...r, series: [...procs.values()] }, null, 2));
    writeFileSync(path.join(outDir, `${name}.md`), md);
    process.stdout.write(md);
  } finally {
    unregister();
    for (const x of daemons) await x.d.stop().catch(() => undefined);
    for (const b of bares) await b.p.stop('SIGINT', 2000);
    await media.stop();
  }
}

if (require.main === module) runScript(main);

// Two builds of liveplayerd side by side: this checkout and another one (an
// older commit in a worktree, built), each a daemon playing the bench stream
// from the same server at the same time. Every window, the CPU ticks and write
// syscalls (/proc/PID/io syscw) of each daemon and of its playing worker are
// read; the figure is the pairwise ratio, window by window, which the
// machine's load moves for both alike. For changes too small for the
// resources phase of run.ts, whose runs are minutes apart.
//   git worktree add /tmp/old <commit> && ln -s $PWD/node_modules /tmp/old/ && (cd /tmp/old && npx tsc -p .)
//   node dist/bench/builds.js --other /tmp/old [--server nginx-rtmp] [--windows 8] [--name builds-latest]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DAEMON_ARGS, SHIPPED_RUNTIME_ENV } from './players';
import { startBenchMedia } from './servers';
import { machineInfo } from './machine';
import { childPids, sampleProcess, ticksToSeconds } from './proc-stats';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WINDOW_MS = 10_000;

function ticks(pid: number): number {
  const p = sampleProcess(pid);
  if (!p) throw new Error(`process ${pid} is gone`);
  return p.cpuTicks;
}
function writes(pid: number): number {
  return Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? NaN);
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Build {
  name: 'this' | 'other';
  root: string;
  daemon: ChildProcess;
  worker: number;
}

async function main(): Promise<void> {
  const other = arg('--other');
  if (!other) throw new Error('--other <checkout with a built dist/> is required');
  const serverKey = arg('--server') ?? 'nginx-rtmp';
  const windows = Number(arg('--windows') ?? 8);
  const name = arg('--name') ?? 'builds-latest';
  const media = await startBenchMedia();
  const builds: Build[] = [];
  const dirs: string[] = [];
  try {
    const src = media.sources.find((s) => s.key === serverKey);
    if (!src) throw new Error(`no bench source ${serverKey}`);
    for (const [which, root] of [['this', path.resolve(__dirname, '..', '..')], ['other', path.resolve(other)]] as const) {
      const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-builds-'));
      dirs.push(stateDir);
      const args = [path.join(root, 'dist', 'src', 'cli.js'), '--http', '127.0.0.1:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', stateDir, ...BENCH_DAEMON_ARGS, '--spare-worker', 'idle'];
      const daemon = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...SHIPPED_RUNTIME_ENV, LIVEPLAYER_SRC: src.url, LIVEPLAYER_AUTOPLAY: '1' } });
      builds.push({ name: which, root, daemon, worker: 0 });
    }
    // Past the start: the first picture, the worker's JIT, the settling of the cache.
    await sleep(15_000);
    for (const b of builds) {
      const workers = childPids(b.daemon.pid!).sort((x, y) => ticks(y) - ticks(x));
      if (!workers.length) throw new Error(`${b.name}: no worker under daemon ${b.daemon.pid}`);
      b.worker = workers[0]!;
    }
    const read = () => builds.map((b) => ({ d: ticks(b.daemon.pid!), w: ticks(b.worker), dw: writes(b.daemon.pid!), ww: writes(b.worker) }));
    const rows: { load: number; per: { daemonCpu: number; workerCpu: number; daemonWrites: number; workerWrites: number }[] }[] = [];
    let prev = read();
    for (let i = 0; i < windows; i++) {
      await sleep(WINDOW_MS);
      const now = read();
      const per = now.map((n, j) => ({ daemonCpu: ticksToSeconds(n.d - prev[j]!.d), workerCpu: ticksToSeconds(n.w - prev[j]!.w), daemonWrites: n.dw - prev[j]!.dw, workerWrites: n.ww - prev[j]!.ww }));
      rows.push({ load: os.loadavg()[0] ?? NaN, per });
      process.stderr.write(`[builds] window ${i}: ${builds.map((b, j) => `${b.name} worker ${per[j]!.workerCpu.toFixed(2)} s ${per[j]!.workerWrites} writes, daemon ${per[j]!.daemonCpu.toFixed(2)} s`).join('; ')}\n`);
      prev = now;
    }
    const col = (j: number, k: keyof (typeof rows)[0]['per'][0]) => rows.map((r) => r.per[j]![k]);
    const ratio = (k: 'daemonCpu' | 'workerCpu') => rows.map((r) => r.per[0]![k] / r.per[1]![k]).filter(Number.isFinite);
    const lines = [
      `# Two builds side by side — ${new Date().toISOString()}`,
      '',
      `this: ${builds[0]!.root}; other: ${builds[1]!.root}. Both \`--spare-worker idle\`, fake sinks, full screen at 1280x720, playing ${serverKey} (1280x720, 30 fps, 2 Mb/s, AAC) at the same time; ${windows} windows of ${WINDOW_MS / 1000} s after 15 s.`,
      `Machine: ${Object.entries(machineInfo()).map(([k, v]) => `${k} ${v}`).join('; ')}. Load average (1 min) over the windows: ${rows.map((r) => r.load.toFixed(2)).join(', ')}.`,
      '',
      '| per 10 s (median of windows) | this | other | this / other (median of pairwise) |',
      '|---|---:|---:|---:|',
      `| playing worker, CPU s | ${median(col(0, 'workerCpu')).toFixed(2)} | ${median(col(1, 'workerCpu')).toFixed(2)} | ${median(ratio('workerCpu')).toFixed(3)} |`,
      `| playing worker, write syscalls | ${median(col(0, 'workerWrites'))} | ${median(col(1, 'workerWrites'))} | |`,
      `| daemon, CPU s | ${median(col(0, 'daemonCpu')).toFixed(2)} | ${median(col(1, 'daemonCpu')).toFixed(2)} | ${median(ratio('daemonCpu')).toFixed(3)} |`,
      '',
      `Pairwise worker ratios: ${ratio('workerCpu').map((x) => x.toFixed(3)).join(' ')}.`,
      '',
    ];
    const out = path.resolve(__dirname, '..', '..', 'bench', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, `${name}.md`), lines.join('\n'));
    process.stdout.write(lines.join('\n'));
  } finally {
    for (const b of builds) {
      b.daemon.kill('SIGTERM');
      await new Promise((r) => (b.daemon.exitCode !== null ? r(null) : b.daemon.once('exit', r)));
    }
    await media.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);

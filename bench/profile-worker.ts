// Where a playing worker's time goes: starts the bench's servers and one
// daemon (fake sinks, full screen at 1280x720, --spare-worker idle) playing
// nginx-rtmp, waits 15 s, then records the playing worker for 20 s with perf
// or strace, and prints its CPU per 10 s. For a look, not a figure: the
// figures come from run.ts and builds.ts.
//   node dist/bench/profile-worker.js --perf     # /tmp/liveplayerd-prof/perf.data (JS names with the flags below)
//   node dist/bench/profile-worker.js --strace   # /tmp/liveplayerd-prof/strace.txt (syscall counts, all threads)
//   LIVEPLAYER_BENCH_WORKER_FLAGS="--max-semi-space-size=1 --max-old-space-size=64 --expose-gc --perf-basic-prof" ...
//   STRACE_ARGS="-tt -e trace=!futex" node dist/bench/profile-worker.js --strace   # the main loop's calls, in time
//   node dist/bench/profile-worker.js --threads  # CPU per thread, the bare pipeline playing beside it
//   ... --after 120                              # record from 120 s into play instead of 15 (V8's compiler done)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DAEMON_ARGS, SHIPPED_RUNTIME_ENV, barePipeline } from './players';
import { startBenchMedia } from './servers';
import { childPids, sampleProcess, ticksToSeconds } from './proc-stats';

const OUT = path.join(os.tmpdir(), 'liveplayerd-prof');
const RECORD_S = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU ticks per thread name ("node (main)" for the main thread; GStreamer names its streaming threads after their pads). */
function threadTicks(pid: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) + (tid === String(pid) ? ' (main)' : '');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    m.set(name, (m.get(name) ?? 0) + Number(f[11]) + Number(f[12]));
  }
  return m;
}

function perThread(before: Map<string, number>, after: Map<string, number>): string {
  const rows = [...after].map(([k, v]) => [k, ticksToSeconds(v - (before.get(k) ?? 0)) / (RECORD_S / 10)] as const).filter((r) => r[1] > 0);
  rows.sort((a, b) => b[1] - a[1]);
  return `${rows.map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')}; total ${rows.reduce((s, r) => s + r[1], 0).toFixed(3)} CPU-s per 10 s`;
}

async function main(): Promise<void> {
  const tool = process.argv.includes('--perf') ? 'perf' : process.argv.includes('--strace') ? 'strace' : process.argv.includes('--threads') ? 'threads' : null;
  mkdirSync(OUT, { recursive: true });
  const media = await startBenchMedia();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-prof-'));
  const args = [path.join(__dirname, '..', 'src', 'cli.js'), '--http', '127.0.0.1:0', '--dbus', 'off', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', stateDir, ...BENCH_DAEMON_ARGS, '--spare-worker', 'idle'];
  const src = media.sources.find((s) => s.key === 'nginx-rtmp')!;
  const daemon = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, ...SHIPPED_RUNTIME_ENV, LIVEPLAYER_SRC: src.url, LIVEPLAYER_AUTOPLAY: '1' } });
  let bare: ChildProcess | null = null;
  if (tool === 'threads') bare = spawn('gst-launch-1.0', barePipeline(src.url, 'nginx').split(' '), { stdio: 'ignore' });
  try {
    const after = Number(process.argv[process.argv.indexOf('--after') + 1]);
    await sleep(process.argv.includes('--after') && after > 0 ? after * 1000 : 15_000);
    const worker = childPids(daemon.pid!).sort((a, b) => (sampleProcess(b)?.cpuTicks ?? 0) - (sampleProcess(a)?.cpuTicks ?? 0))[0];
    if (!worker) throw new Error('no playing worker');
    const t0 = sampleProcess(worker)!.cpuTicks;
    if (tool === 'perf') {
      execFileSync('perf', ['record', '-F', '1999', '-g', '-p', String(worker), '-o', path.join(OUT, 'perf.data'), '--', 'sleep', String(RECORD_S)], { stdio: 'inherit' });
    } else if (tool === 'strace') {
      const extra = (process.env.STRACE_ARGS ?? '-c -f').split(' ').filter(Boolean);
      execFileSync('timeout', ['-s', 'INT', String(RECORD_S), 'strace', ...extra, '-p', String(worker), '-o', path.join(OUT, 'strace.txt')], { stdio: 'inherit' });
    } else if (tool === 'threads') {
      const w0 = threadTicks(worker);
      const b0 = threadTicks(bare!.pid!);
      await sleep(RECORD_S * 1000);
      console.log(`playing worker: ${perThread(w0, threadTicks(worker))}`);
      console.log(`bare pipeline: ${perThread(b0, threadTicks(bare!.pid!))}`);
    } else {
      await sleep(RECORD_S * 1000);
    }
    console.log(`playing worker ${worker}: ${(ticksToSeconds(sampleProcess(worker)!.cpuTicks - t0) / (RECORD_S / 10)).toFixed(2)} CPU-s per 10 s; output in ${OUT}`);
  } finally {
    daemon.kill('SIGTERM');
    bare?.kill('SIGINT');
    await sleep(1500);
    rmSync(stateDir, { recursive: true, force: true });
    await media.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

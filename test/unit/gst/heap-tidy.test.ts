// The media worker runs a full collection every minute
// (src/gst/worker/heap-tidy.ts). First the timer with a counting collector,
// then a real runtime with the worker's own flags: garbage that reached the
// old generation stays resident until a full collection, and the tidy frees it.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { workerSpawnOptions } from '../../../src/gst/control/child-process';
import { tidyHeap } from '../../../src/gst/worker/heap-tidy';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('collects at its interval until stopped, and says how long each took', async (t) => {
  const durations: number[] = [];
  let n = 0;
  const stop = tidyHeap(() => n++, 20, (ms) => durations.push(ms));
  await sleep(110);
  stop();
  const seen = n;
  t.ok(seen >= 3 && seen <= 6, `about one collection per 20 ms (${seen} in 110 ms)`);
  t.equal(durations.length, seen, 'each one reported');
  t.ok(durations.every((ms) => ms >= 0), 'with a duration');
  await sleep(60);
  t.equal(n, seen, 'none after stop');
});

t.test('the worker runs with --expose-gc, so the tidy is on as shipped', async (t) => {
  t.ok(workerSpawnOptions({}).execArgv.includes('--expose-gc'), workerSpawnOptions({}).execArgv.join(' '));
  t.notOk(workerSpawnOptions({ LIVEPLAYER_BENCH_WORKER_FLAGS: '--max-old-space-size=64' }).execArgv.includes('--expose-gc'), 'benchmarks can leave it out');
});

// 10 MiB of Buffers kept through two young collections (so promoted, as a
// frame's Buffers are while a message spreads over reads or waits in the
// live-delay queue), then dropped. Young collections leave them; V8 sees no
// reason for a full one; the tidy makes it.
const FEED = `
const { tidyHeap, exposedGc } = require(${JSON.stringify(path.join(__dirname, '../../../src/gst/worker/heap-tidy.js'))});
const held = () => process.memoryUsage().arrayBuffers / 1048576;
let frames = [];
for (let i = 0; i < 160; i++) frames.push(Buffer.alloc(64 * 1024, 1));
gc({ type: 'minor' }); gc({ type: 'minor' });
const promoted = held();
frames = null;
for (let i = 0; i < 5; i++) gc({ type: 'minor' });
const dropped = held();
setTimeout(() => {
  const untouched = held();
  const stop = process.argv[1] === 'tidy' ? tidyHeap(exposedGc(), 50) : () => {};
  setTimeout(() => { stop(); console.log(JSON.stringify({ promoted, dropped, untouched, after: held() })); }, 300);
}, 300);
`;

function feed(mode: 'tidy' | 'none'): { promoted: number; dropped: number; untouched: number; after: number } {
  const r = spawnSync(process.execPath, [...workerSpawnOptions({}).execArgv, '-e', FEED, mode], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`feed ${mode} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

t.test("with the worker's flags, promoted garbage stays until the tidy collects it", async (t) => {
  const none = feed('none');
  t.ok(none.promoted >= 9.9, `10 MiB of Buffers held (${none.promoted.toFixed(1)} MiB)`);
  t.ok(none.dropped >= 9.9, `dropped, young collections leave them (${none.dropped.toFixed(1)} MiB)`);
  t.ok(none.after >= 9.9, `V8 alone keeps them (${none.after.toFixed(1)} MiB 600 ms later)`);
  const tidy = feed('tidy');
  t.ok(tidy.untouched >= 9.9, `the same before the tidy (${tidy.untouched.toFixed(1)} MiB)`);
  t.ok(tidy.after < 1, `the tidy freed them (${tidy.after.toFixed(2)} MiB left)`);
});

// Resource hygiene of the control process over thousands of sessions: each
// session's worker process takes the binding's leaks with it, so the daemon's
// threads and fds return to baseline (its RSS and JS heap are printed). Playback works
// afterwards, and SIGTERM while playing ends the daemon within 2 s.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { startDaemon } from '../../helpers/daemon';
import { startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { sampleProcess } from '../../../bench/proc-stats';
import { children } from '../../helpers/proc-memory';

const CYCLES = Number(process.env.LIVEPLAYER_HYGIENE_CYCLES ?? 2000);
const WARM_UP = Math.min(700, CYCLES / 2);

// Thousands of real sessions: longer than tap's default per-file limit.
t.setTimeout(900_000);


t.test(`${CYCLES} play/stop/src-switch cycles leave the control process as it was`, async (tt) => {
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const pubs = await Promise.all(['a', 'b'].map((n) => startPublisher(nms.rtmpUrl(n))));
  tt.teardown(() => Promise.all(pubs.map((p) => p.stop())));
  await Promise.all(['a', 'b'].map((n) => waitForStream(nms.rtmpUrl(n))));
  const d = await startDaemon({ args: ['--reconnect-attempts', '0'] });
  tt.teardown(() => d.stop());
  const pid = d.proc.pid!;
  const sub = await d.subscribe();
  const srcs = [nms.rtmpUrl('a'), nms.flvUrl('b')];

  const cycle = async (i: number) => {
    await d.api('PATCH', '/api/v1/player', { src: srcs[i % 2] });
    await d.api('POST', '/api/v1/player/play');
    await d.api('PATCH', '/api/v1/player', { src: srcs[(i + 1) % 2] }); // switch while playing
    await d.api('POST', '/api/v1/player/stop');
  };
  // RSS moves with the garbage collector's timing; the lowest of many samples
  // over a stretch of cycles is what the process really keeps.
  // The JS heap in use, from the daemon's own /metrics (prom-client's default metrics).
  const heapKiB = async () => {
    const text = String((await d.api('GET', '/metrics')).body);
    return Number(/^liveplayer_nodejs_heap_size_used_bytes (\d+)/m.exec(text)?.[1] ?? NaN) / 1024;
  };
  const run = async (from: number, n: number) => {
    const rss: number[] = [];
    const heap: number[] = [];
    for (let i = from; i < from + n; i++) {
      await cycle(i);
      if (i % 20 === 0) {
        rss.push(sampleProcess(pid)!.rssKiB);
        heap.push(await heapKiB());
      }
    }
    return { rss: Math.min(...rss), heap: Math.min(...heap) };
  };
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 2500));
    // Each child process (the spare worker, a card process, the TV's drawing
    // process that lingers 10 s after its last card) holds one IPC descriptor
    // in the daemon: counted apart, so that a child alive at one sample and
    // not at the other is not taken for a leak.
    return { ...sampleProcess(pid)!, kids: children(pid).length };
  };

  // Warm-up: measured here, the daemon's RSS climbs from ~87 to ~110 MiB over
  // the first ~600 sessions while its JS heap stays at 18-27 MiB (code space,
  // allocator high-water), then stays flat (110.8 → 111.4 MiB over the next 400).
  // Growth is judged after that.
  for (let i = 0; i < WARM_UP; i++) await cycle(i);
  const base = await settle();
  const t0 = Date.now();
  const window = Math.min(200, CYCLES / 4);
  const { rss: baseRss, heap: baseHeap } = await run(0, window);
  await run(window, CYCLES - 2 * window);
  const { rss: endRss, heap: endHeap } = await run(CYCLES - window, window);
  const end = await settle();
  const perCycle = (Date.now() - t0) / CYCLES;
  tt.comment(`baseline threads ${base.threads} fds ${base.fds} (${base.kids} child processes), RSS floor over the first ${window} cycles ${(baseRss / 1024).toFixed(1)} MiB`);
  tt.comment(`after ${CYCLES}: threads ${end.threads} fds ${end.fds} (${end.kids} child processes), RSS floor over the last ${window} ${(endRss / 1024).toFixed(1)} MiB; ${perCycle.toFixed(1)} ms per cycle`);
  tt.comment(`JS heap in use, floor: ${(baseHeap / 1024).toFixed(1)} → ${(endHeap / 1024).toFixed(1)} MiB`);
  tt.ok(end.threads <= base.threads, `threads back at baseline (${base.threads} → ${end.threads})`);
  tt.ok(end.fds - end.kids <= base.fds - base.kids, `fds back at baseline, less one per child process (${base.fds} - ${base.kids} → ${end.fds} - ${end.kids})`);
  // Memory is the soak bench's to judge (bench/soak.ts prints the growth per
  // 1,000 cycles); here it is only printed. After the warm-up the RSS floor
  // moved by -0.8 to +21 MiB over 2000 cycles in ten runs, and the JS heap
  // floor once went 26.5 -> 51.0 MiB with two such runs side by side (other
  // runs: +0.2, +1.2, +8.3 MiB): garbage not yet collected. Heap snapshots,
  // which collect first, kept 17.3 -> 18.0 MiB over 1,200 cycles, all of it
  // compiled code; no application object grew. As an assertion RSS failed CI
  // at random. Threads, fds and workers left behind are exact, and asserted.
  const media = children(pid).filter((c) => /gst\/worker\.js/.test(readFileSync(`/proc/${c}/cmdline`, 'utf8')));
  tt.ok(media.length <= 1, `no media worker left behind but the spare (${media.length}; the TV idle screen has its own)`);

  const from = sub.events.length;
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 15000, from);
  tt.pass('playback still works afterwards');

  const exit = await d.kill('SIGTERM');
  tt.equal(exit.code, 0, 'SIGTERM while playing exits 0');
  tt.ok(exit.ms < 2000, `and within 2 s (${exit.ms.toFixed(0)} ms)`);
  await new Promise((r) => setTimeout(r, 200));
  tt.same(children(pid), [], 'no worker outlives the daemon');
});

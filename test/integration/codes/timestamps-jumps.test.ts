// The picture never freezes under "playing" when the stream's timestamps
// jump: a proxy in front of node-media-server's HTTP-FLV rewrites every tag's
// timestamp from one moment on (back 10 s, forward 10 s and an hour, a wrap at
// 2^32 and at 2^31 ms; a jump back to near 0 is what a publisher restarting
// behind a relay looks like). After each jump the picture keeps moving
// (renderFPS from netstatus), liveDelay comes back into [minCache, maxCache],
// and 2107 is reported.
import t from 'tap';
import { startDaemon, type DaemonEvent } from '../../helpers/daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

t.setTimeout(600_000);
/** How long each case is watched after its jump. */
const WATCH_MS = 12000;

t.test('timestamp jumps and wraps: the picture keeps moving and the delay returns', async (tt) => {
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const pub = await startPublisher(nms.rtmpUrl('ts'));
  const publishedAt = Date.now();
  tt.teardown(() => pub.stop());
  await waitForStream(nms.rtmpUrl('ts'));
  const proxy = await startFaultProxy({ targetPort: nms.httpPort });
  tt.teardown(() => proxy.stop());
  const d = await startDaemon({ args: ['--reconnect-attempts', '3'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: proxy.via(nms.flvUrl('ts')), minCache: 1, maxCache: 3 });
  // The jump back by 10 s needs a stream clock past 10 s.
  await sleep(Math.max(0, 15000 - (Date.now() - publishedAt)));

  // Stream time now, give or take the GOP cache and start-up: near enough to land a wrap 1-3 s after the shift.
  const streamNow = () => Date.now() - publishedAt;
  const cases: { about: string; jump: () => number; wrapMs?: number }[] = [
    { about: 'back 10 s', jump: () => -10_000 },
    { about: 'forward 10 s', jump: () => 10_000 },
    { about: 'forward 1 h', jump: () => 3_600_000 },
    { about: 'back to 0 (publisher restart behind a relay)', jump: () => -streamNow() + 500 },
    { about: 'wrap at 2^32', jump: () => 2 ** 32 - streamNow() - 2000 },
    { about: 'wrap at 2^31', jump: () => 2 ** 31 - streamNow() - 2000, wrapMs: 2 ** 31 },
  ];
  const figures: string[] = [];
  for (const c of cases) {
    proxy.resume();
    await d.api('POST', '/api/v1/player/play');
    const from = sub.events.length;
    await sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && sub.events.indexOf(e) >= from, 20000, 'playing');
    await sleep(6000); // settled: the minCache buffer full, the delay steady
    const jumpAt = performance.now();
    const at = sub.events.length;
    proxy.shiftTimestamps({ afterMs: 0, jumpMs: c.jump(), wrapMs: c.wrapMs });
    await sleep(WATCH_MS);
    const after = sub.events.slice(at);
    const nets = after.filter((e) => e.event === 'netstatus').map((e: DaemonEvent): Record<string, number> => ({ s: (e.at - jumpAt) / 1000, ...(e.data.info as Record<string, number>) }));
    const codes = after.filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
    // The longest run of ticks (1 s each) with a still picture while frames arrive.
    let run = 0;
    let longest = 0;
    for (const n of nets) {
      run = n.renderFPS < 5 && n.videoFPS > 0 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    const late = nets.filter((n) => n.s >= 5 && typeof n.liveDelay === 'number');
    const delays = late.map((n) => n.liveDelay);
    const fps = nets.map((n) => n.renderFPS);
    const states = after.filter((e) => e.event === 'state').map((e) => e.data.state as string);
    figures.push(
      `${c.about}: renderFPS ${fps.join(' ')}; liveDelay from 5 s: ${delays.join(' ')} ms; still ticks in a row ${longest}; codes ${[...new Set(codes)].join(',')}; states ${states.join(',') || 'playing'}`,
    );
    tt.ok(codes.includes(2107), `${c.about}: 2107 reported`);
    tt.ok(longest < 2, `${c.about}: the picture never stands still 2 s (longest ${longest} ticks)`);
    tt.ok(nets.slice(-3).every((n) => n.renderFPS >= 0.6 * n.videoFPS), `${c.about}: renderFPS at the stream's rate at the end (${fps.slice(-3).join(' ')})`);
    tt.ok(delays.length >= 3 && delays.every((x) => x >= 1000 - 300 && x <= 3000 + 500), `${c.about}: liveDelay within [minCache, maxCache] from 5 s on (${delays.join(' ')})`);
    tt.notOk(states.includes('reconnecting') || states.includes('error'), `${c.about}: no reconnect was needed`);
    await d.api('POST', '/api/v1/player/stop');
  }
  tt.comment(figures.join('\n'));
});

// A publisher's clock that jumps 5 s forward while its frames keep coming at
// the stream's pace. The fault proxy shifts every media timestamp of the
// HTTP-FLV body by 5 s from one moment on. The worker mends the jump onto a
// continuous timeline (src/media/feed/timeline.ts): 2107 says it happened, and the
// picture never stands still waiting for the sink's clock to reach the new
// timestamps (before, it froze about 5 s under "playing", with 2105).
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

const JUMP_MS = 5000;

t.test('timestamps jump 5 s ahead: 2107, and the picture keeps moving (no 2105)', { timeout: 120000 }, async (tt) => {
  const { server: nms } = await publishedStream(tt, { server: 'nms', name: 's', waitOn: 'flv' });
  const proxy = await startFaultProxy({ targetPort: nms.httpPort });
  tt.teardown(() => proxy.stop());
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: proxy.via(nms.flvUrl('s')) });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 15000);
  await sleep(2500);
  const from = sub.events.length;
  const before = sub.events.filter((e) => e.event === 'netstatus').at(-1)?.data.info;
  tt.ok(before?.renderFPS > 10, `rendering before the fault (renderFPS ${before?.renderFPS})`);
  tt.notOk(sub.codes().includes(2105), 'no 2105 while the stream is clean');

  proxy.shiftTimestamps({ afterMs: 0, jumpMs: JUMP_MS });
  await sub.waitForCode(2107, 10000, from);
  tt.ok(proxy.counters.tags.tagsShifted > 0, `tags shifted: ${proxy.counters.tags.tagsShifted}`);
  await sleep(JUMP_MS + 3000);
  const net = sub.events.slice(from).filter((e) => e.event === 'netstatus').map((e) => e.data.info as Record<string, number>);
  const fps = net.map((n) => n.renderFPS);
  tt.comment(`renderFPS after the jump: ${fps.join(' ')}`);
  tt.ok(net.length >= 6 && net.every((n) => n.renderFPS > 10), 'the picture kept moving through the jump');
  const after = sub.events.slice(from).filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
  tt.notOk(after.includes(2105), 'no 2105: the jump was mended, not waited out');
  tt.notOk(after.some((c) => c === 2103 || c === 3005 || c === -2301), `no reconnection (codes: ${after.filter((c) => c !== 2005).join(', ')})`);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
});

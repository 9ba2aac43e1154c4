// 2105 from a real cause: the publisher's clock jumps forward. The fault proxy
// shifts every media timestamp of the HTTP-FLV body by 5 s from one moment on
// (below the muxer's 10 s rebase limit, so the jump reaches the pipeline as a
// publisher pause would). Frames keep arriving from the network but the
// synchronised sink holds each one until its time comes: nothing is rendered
// for about 5 s, the picture freezes mid-play. Then it must play again.
import t from 'tap';
import { startDaemon } from '../helpers/daemon';
import { startFaultProxy } from '../helpers/fault-proxy';
import { startNodeMediaServer, startPublisher, waitForStream } from '../helpers/media-servers';
import { sleep } from '../helpers/tag-collector';

const JUMP_MS = 5000;

t.test('timestamps jump 5 s ahead: 2105 while frames arrive unrendered, then the picture moves again', { timeout: 120000 }, async (tt) => {
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const pub = await startPublisher(nms.rtmpUrl('s'));
  tt.teardown(() => pub.stop());
  await waitForStream(nms.flvUrl('s'));
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
  const e2105 = await sub.waitForCode(2105, 10000, from).catch((err: Error) => {
    const net = sub.events.slice(from).filter((e) => e.event === 'netstatus').map((e) => `${e.data.info.videoFPS}/${e.data.info.renderFPS}`);
    tt.fail(`no 2105; videoFPS/renderFPS after the fault: ${net.join(' ')}`);
    throw err;
  });
  tt.ok(proxy.counters.tags.tagsShifted > 0, `tags shifted: ${proxy.counters.tags.tagsShifted}`);
  tt.match(e2105.data.message, /no frame rendered .* fps arrive/, e2105.data.message);
  const at = sub.events.indexOf(e2105);
  // The worker sends the code, then the netstatus of the same second.
  const stalled = (await sub.waitFor((e) => e.event === 'netstatus' && sub.events.indexOf(e) > at, 3000, 'netstatus after 2105')).data.info;
  tt.ok(stalled.renderFPS === 0 && stalled.videoFPS > 0, `in that second frames arrived (${stalled.videoFPS} fps) but none rendered (${stalled.renderFPS})`);

  // Playback goes on: once the sink's clock reaches the new timestamps it renders again, same connection.
  const moving = await sub.waitFor((e) => e.event === 'netstatus' && sub.events.indexOf(e) > at && e.data.info.renderFPS > 10, JUMP_MS + 10000, 'renderFPS > 10 after 2105');
  tt.comment(`2105 after ${(e2105.at - sub.events[from - 1]!.at).toFixed(0)} ms, rendering again ${(moving.at - e2105.at).toFixed(0)} ms after 2105`);
  await sleep(2000);
  const last = sub.events.filter((e) => e.event === 'netstatus').at(-1)!.data.info;
  tt.ok(last.renderFPS > 10 && last.videoFPS > 10, `frames keep coming and rendering (videoFPS ${last.videoFPS}, renderFPS ${last.renderFPS})`);
  const after = sub.codes().slice(sub.codes().indexOf(2105));
  tt.notOk(after.some((c) => c === 2103 || c === 3005 || c === -2301), `no reconnection (codes from 2105 on: ${after.filter((c) => c !== 2005).join(', ')})`);
  tt.equal(sub.codes().filter((c) => c === 2105).length, 1, 'one stall, one 2105');
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
});

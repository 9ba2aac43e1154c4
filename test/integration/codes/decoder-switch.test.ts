// 2108 from a real failure: with the test hook LIVEPLAYER_TEST_FAILING_DECODER=1
// the daemon's `auto` decoder choice starts with a "hardware" decoder that
// errors on the picture of the first key frame (element-choice.ts). The real
// daemon plays a real publisher through nginx-rtmp; the session must switch to
// software, say 2108 once, and then play: 2004, 2005s, frames rendered.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

let src = '';

t.before(async () => {
  const { server: nginx } = await publishedStream(t, { server: 'nginx', name: 's' });
  src = nginx.rtmpUrl('s');
});

t.test('the failing hardware decoder is replaced by software: 2108, then 2004 and 2005 with frames', { timeout: 90000 }, async (tt) => {
  const d = await startDaemon({ env: { LIVEPLAYER_TEST_FAILING_DECODER: '1' } });
  tt.teardown(() => d.stop());
  tt.ok(d.logs().some((l) => l.includes('test hook on')), 'the daemon warns that the test hook is on');
  const sub = await d.subscribe();
  tt.equal((await d.api('PATCH', '/api/v1/player', { src })).status, 200);
  tt.same((await d.api('POST', '/api/v1/player/play')).body, { errMsg: 'play:ok' });
  const e2108 = await sub.waitForCode(2108, 20000);
  tt.match(e2108.data.message, /vdec: .*(Failed after iterations|error)/i, `2108 names what failed: ${e2108.data.message}`);
  const at = sub.events.indexOf(e2108);
  const e2004 = await sub.waitForCode(2004, 20000, at);
  const play = sub.events.find((e) => e.event === 'statechange' && e.data.code === 2001)!;
  tt.comment(`play→2108 ${(e2108.at - play.at).toFixed(0)} ms, 2108→2004 ${(e2004.at - e2108.at).toFixed(0)} ms`);
  await sub.waitForCode(2005, 5000, at);
  await sleep(3000);
  const after = sub.events.slice(at);
  const codes = after.filter((e) => e.event === 'statechange').map((e) => e.data.code as number);
  tt.ok(codes.indexOf(2004) < codes.indexOf(2005), `2004 before the first 2005 (codes after 2108: ${codes.filter((c) => c !== 2005).join(', ')})`);
  tt.ok(codes.filter((c) => c === 2005).length >= 2, 'progress goes on');
  tt.equal(sub.codes().filter((c) => c === 2108).length, 1, '2108 once');
  tt.notOk(sub.codes().includes(2106), 'no 2106: the (test) hardware decoder did start');
  tt.notOk(codes.some((c) => c === 2103 || c === -2301 || c === 3005), 'no reconnection or failure after the switch');
  const net = after.filter((e) => e.event === 'netstatus').map((e) => e.data.info);
  const last = net.at(-1);
  tt.ok(last && last.videoFPS > 10 && last.renderFPS > 10, `frames arrive and are rendered (videoFPS ${last?.videoFPS}, renderFPS ${last?.renderFPS})`);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
});

t.test('without the hook the same stream never sees 2108', { timeout: 60000 }, async (tt) => {
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitForCode(2004, 20000);
  await sub.waitForCode(2005, 5000);
  tt.notOk(sub.codes().includes(2108), `codes: ${sub.codes().filter((c) => c !== 2005).join(', ')}`);
  tt.ok(sub.codes().includes(2106), 'software from the start, with 2106');
});

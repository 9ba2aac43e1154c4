// The real daemon plays from each server it must support, with a real
// publisher: nginx-rtmp (no GOP cache), node-media-server over RTMP and over
// HTTP-FLV (GOP cache). The normal-path codes arrive in the contract's order.
import t, { type Test } from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';

const NORMAL_PATH = [2001, 2002, 2003, 2008, 2004];

async function playAndCheck(tt: Test, src: string) {
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  const patched = await d.api('PATCH', '/api/v1/player', { src });
  tt.equal(patched.status, 200, 'src accepted');
  const play = await d.api('POST', '/api/v1/player/play');
  tt.same(play.body, { errMsg: 'play:ok' });
  await sub.waitForCode(2004, 15000);
  const codes = sub.codes().filter((c) => NORMAL_PATH.includes(c));
  tt.same(codes, NORMAL_PATH, 'normal-path codes in order, each once');
  tt.ok(sub.codes().includes(2106), '2106: no hardware decoder on this machine, software used');
  await sub.waitForCode(2005, 3000);
  const view = await d.api('GET', '/api/v1/player');
  tt.equal(view.body.state, 'playing');
  tt.equal(view.body.lastCode.code >= 2004, true);
  // Playback goes on: progress keeps coming and frames keep arriving.
  const before = sub.codes().filter((c) => c === 2005).length;
  await new Promise((r) => setTimeout(r, 2500));
  tt.ok(sub.codes().filter((c) => c === 2005).length >= before + 2, 'progress (2005) about once a second');
  const net = sub.events.filter((e) => e.event === 'netstatus').pop();
  tt.ok(net && net.data.info.videoFPS > 10, `frames flow (videoFPS ${net?.data.info.videoFPS})`);
  const stop = await d.api('POST', '/api/v1/player/stop');
  tt.same(stop.body, { errMsg: 'stop:ok' });
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'stopped');
}

t.test('nginx-rtmp (no GOP cache)', async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 's' });
  await playAndCheck(tt, nginx.rtmpUrl('s'));
});

t.test('node-media-server over RTMP and HTTP-FLV (GOP cache)', async (tt) => {
  const { server: nms } = await publishedStream(tt, { server: 'nms', name: 's' });
  await tt.test('RTMP', (t2) => playAndCheck(t2, nms.rtmpUrl('s')));
  await tt.test('HTTP-FLV', (t2) => playAndCheck(t2, nms.flvUrl('s')));
});

// No false "audio only": on nginx-rtmp (no GOP cache) with x264's default
// GOP (keyint 250 = 10 s at 25 fps), audio comes for seconds before the
// first video tag. onMetaData announces video, so the player waits for it
// (up to 10 s) instead of declaring the stream audio-only after 3 s: the
// one 2004 is the picture, and the video sink renders frames.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

t.test('10 s GOP with audio on nginx-rtmp: 2004 is the picture, never "audio only"', { timeout: 180000 }, async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'gop', pub: { gopSeconds: 10, audio: true } });
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  // Several starts land at different points of the GOP.
  for (let i = 0; i < 3; i++) {
    const from = sub.events.length;
    const t0 = performance.now();
    await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('gop') });
    await d.api('POST', '/api/v1/player/play');
    const first = await sub.waitForCode(2004, 20000, from);
    const ms = Math.round(first.at - t0);
    tt.notMatch(first.data.message, /audio only/, `start ${i + 1}: 2004 after ${ms} ms: ${first.data.message}`);
    await sleep(4000);
    const fps = sub.events.slice(from).filter((e) => e.event === 'netstatus').map((e) => e.data.info.renderFPS as number);
    tt.ok((fps.at(-1) ?? 0) > 15, `start ${i + 1}: frames rendered (renderFPS ${fps.join(' ')})`);
    tt.notOk(sub.events.slice(from).some((e) => e.event === 'statechange' && /audio only/.test(e.data.message)), `start ${i + 1}: no "audio only" at all`);
    await d.api('POST', '/api/v1/player/stop');
    await sleep(1000 + i * 2500);
  }
});

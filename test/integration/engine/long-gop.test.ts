// No preroll deadlock: a 5-second GOP with audio from a server without GOP
// cache (nginx-rtmp) starts and keeps playing. With default queue limits and
// audio flowing for seconds before the first key frame, flvdemux deadlocks.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';

t.test('5 s GOP with audio on nginx-rtmp starts and keeps playing', async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'g', pub: { gopSeconds: 5, audio: true } });
  for (const mode of ['live', 'RTC'] as const) {
    const d = await startDaemon();
    const sub = await d.subscribe();
    await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('g'), mode, autoplay: true });
    const first = await sub.waitForCode(2004, 15000);
    const from = sub.events.indexOf(first);
    await new Promise((r) => setTimeout(r, 8000)); // longer than a GOP: the next key frame must play too
    const after = sub.events.slice(from);
    const fps = after.filter((e) => e.event === 'netstatus').map((e) => e.data.info.renderFPS as number);
    tt.ok(fps.length >= 6 && fps.slice(-3).every((f) => f > 20), `${mode}: frames keep being rendered (renderFPS ${fps.join(' ')})`);
    tt.notOk(after.some((e) => e.event === 'statechange' && [2007, 2103].includes(e.data.code)), `${mode}: no buffering stall, no drop`);
    tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
    await d.stop();
  }
});

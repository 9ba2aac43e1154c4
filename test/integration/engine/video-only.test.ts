// A stream without audio (a screen capture, a camera with no microphone)
// plays like any other: frames keep being rendered after the first one. It
// froze on its first frame before: the video sink prerolled after the live
// pipeline had gone to PLAYING and waited in PAUSED for good, and only a
// stream with audio (decodebin adding elements) set it going. The cure (a
// PAUSED -> PLAYING round trip) raced the bin and failed 1 RTC start in 8, so
// each mode is started several times here.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { DEFAULT_PUBLISHER, startNginxRtmp, startPublisher, waitForStream } from '../../helpers/media-servers';

t.test('video without audio renders continuously, live and RTC', async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const url = nginx.rtmpUrl('mute-cam');
  const pub = await startPublisher(url, { ...DEFAULT_PUBLISHER, audio: false, fps: 25, gopSeconds: 1 });
  tt.teardown(() => pub.stop());
  await waitForStream(url, 20000);
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  for (const mode of ['live', 'RTC', 'RTC', 'live', 'RTC', 'RTC', 'RTC'] as const) {
    await d.api('PATCH', '/api/v1/player', { src: url, mode });
    const from = sub.events.length;
    await d.api('POST', '/api/v1/player/play');
    await sub.waitForCode(2004, 20000, from);
    // minCache (1 s in live mode) passes before the second frame is due; judge the samples after it.
    const settled = sub.events.length;
    const after = () => sub.events.slice(settled).filter((e) => e.event === 'netstatus');
    await sub.waitFor(() => after().length >= 5, 20000, `five netstatus samples in ${mode} mode`);
    const samples = after().slice(0, 5).map((e) => e.data.info as Record<string, number>);
    const late = samples.slice(2);
    tt.comment(`${mode}: renderFPS ${samples.map((s) => s.renderFPS).join(', ')}; audioBitrate ${late.map((s) => s.audioBitrate ?? 0).join(', ')}`);
    tt.ok(late.every((s) => s.renderFPS >= 20), `${mode}: frames keep being rendered (renderFPS of the last three samples >= 20)`);
    tt.ok(late.every((s) => !s.audioBitrate), `${mode}: and the stream has no audio`);
    tt.notOk(sub.events.slice(from).some((e) => e.event === 'statechange' && e.data.code === 2105), `${mode}: no stutter reported`);
    await d.api('POST', '/api/v1/player/stop');
  }
  const repeats = d.logs().filter((l) => l.includes('still waiting in preroll')).length;
  tt.comment(`round trips repeated because the sink stayed in preroll: ${repeats} over 7 starts`);
});

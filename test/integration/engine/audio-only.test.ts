// A stream without video (a radio-style lesson, a microphone and no camera)
// plays: the state reaches `playing`, 2004 says it is audio only, netstatus
// flows, and real ALSA output (test/helpers/alsa-files.ts) carries the tone.
// Before, the video sink waited for a first frame for ever: the player stayed
// `connecting` and the output got nothing. nginx-rtmp and node-media-server
// both, through a proxy that then cuts the connection: after the reconnect
// the tone plays again and 2004 comes again.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { makeAlsaFiles } from '../../helpers/alsa-files';
import { startFaultProxy } from '../../helpers/fault-proxy';
import { DEFAULT_PUBLISHER, startNginxRtmp, startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { sleep } from '../../helpers/time';

const WINDOW_MS = 1500;

// Two servers, each a 3-4 s wait for video that never comes, a reconnect and
// two 1.5 s listening windows: about 25 s alone, more beside other tests,
// past tap's default 30 s per file (the file was killed in its teardown).
t.setTimeout(120_000);

t.test('audio-only streams play on a real audio sink', { timeout: 180000 }, async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const alsa = await makeAlsaFiles();
  tt.teardown(() => alsa.remove());
  const d = await startDaemon({
    args: ['--audio-sink', 'alsa', '--audio-device-speaker', alsa.device('speaker'), '--audio-device-ear', alsa.device('ear'), '--reconnect-interval', '1'],
    env: alsa.env,
  });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();

  for (const [server, rtmp, direct, port] of [
    ['nginx-rtmp', nginx.rtmpUrl('radio'), nginx.rtmpUrl('radio'), nginx.port],
    ['node-media-server HTTP-FLV', nms.rtmpUrl('radio'), nms.flvUrl('radio'), nms.httpPort],
  ] as const) {
    const pub = await startPublisher(rtmp, { ...DEFAULT_PUBLISHER, video: false });
    tt.teardown(() => pub.stop());
    await waitForStream(direct, 20000);
    const proxy = await startFaultProxy({ targetPort: port });
    tt.teardown(() => proxy.stop());
    const from = sub.events.length;
    tt.equal((await d.api('PATCH', '/api/v1/player', { src: proxy.via(direct) })).status, 200);
    const t0 = Date.now();
    await d.api('POST', '/api/v1/player/play');
    const start = await sub.waitForCode(2004, 20000, from);
    tt.match(start.data.message, /audio only/, `${server}: 2004 says the stream is audio only (after ${Date.now() - t0} ms)`);
    tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', `${server}: the state is playing`);
    await sleep(1500);
    const w = (await alsa.watch(WINDOW_MS)).speaker;
    tt.ok(w.bytes > 0 && w.nonZero > w.bytes / 10, `${server}: the tone reaches the output (${w.bytes} bytes, ${w.nonZero} non-zero)`);
    const ns = sub.events.slice(from).filter((e) => e.event === 'netstatus').at(-1)?.data.info as Record<string, number> | undefined;
    tt.ok(ns && ns.audioBitrate > 50 && ns.videoFPS === 0, `${server}: netstatus has audio and no video (${JSON.stringify(ns)})`);

    // The connection is cut: 2103, and once reconnected audio plays at once (no second wait for video) and 2004 comes again.
    const drop = sub.events.length;
    proxy.cut();
    await sub.waitForCode(2103, 20000, drop);
    const back = await sub.waitForCode(2004, 20000, drop);
    tt.match(back.data.message, /after reconnecting/, `${server}: 2004 after the reconnect (${back.data.message})`);
    await sleep(1500);
    const w2 = (await alsa.watch(WINDOW_MS)).speaker;
    tt.ok(w2.bytes > 0 && w2.nonZero > w2.bytes / 10, `${server}: after reconnecting the tone plays again (${w2.bytes} bytes, ${w2.nonZero} non-zero)`);
    tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing', `${server}: playing after the reconnect`);
    await d.api('POST', '/api/v1/player/stop');
  }
});

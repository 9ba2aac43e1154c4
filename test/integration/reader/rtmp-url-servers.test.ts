// URLs with an application instance (rtmp://host/app/inst/stream) reach the
// stream that ffmpeg published under the same URL, on nginx-rtmp (an
// application named "app/inst") and node-media-server: both sides split the
// URL the same way (app "app/inst", name "stream"), and nginx's log says so.
import t, { type Test } from 'tap';
import { startNginxRtmp, startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { Recorder, isKeyFrame } from '../../helpers/reader-recorder';

async function plays(tt: Test, url: string): Promise<void> {
  await waitForStream(url, 20000);
  const r = new Recorder(url).start();
  tt.teardown(() => r.close());
  await r.waitFor(() => r.tags.some((x) => isKeyFrame(x.tag)) || r.finished, 8000, `${url}: key frame`);
  tt.ok(r.tags.some((x) => isKeyFrame(x.tag)), `${url}: key frame received (${r.summary()})`);
  r.close();
}

t.test('nginx-rtmp: application with an instance', async (tt) => {
  const nginx = await startNginxRtmp({ apps: ['school/room1'] });
  tt.teardown(() => nginx.stop());
  const url = `rtmp://127.0.0.1:${nginx.port}/school/room1/lesson?token=abc`;
  const pub = await startPublisher(url);
  tt.teardown(() => pub.stop());
  await plays(tt, url);
  const lines = nginx.log().split('\n').filter((l) => /connect: app=|play: name=|publish: name=/.test(l));
  for (const l of lines.slice(0, 6)) tt.comment(l.replace(/^.*?\] /, ''));
  tt.ok(lines.some((l) => /play: name='lesson' args='token=abc'/.test(l)), 'nginx logged play name=lesson with the token as args');
  tt.ok(lines.filter((l) => /connect: app='school\/room1'/.test(l)).length >= 2, 'nginx logged app=school/room1 for publisher and player');
});

t.test('node-media-server: app/instance/stream', async (tt) => {
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  const url = `rtmp://127.0.0.1:${nms.rtmpPort}/live/room1/lesson`;
  const pub = await startPublisher(url);
  tt.teardown(() => pub.stop());
  await plays(tt, url);
  // The same stream under the other split (app "live", name "room1/lesson") does not exist there.
  const wrong = new Recorder(`rtmp://127.0.0.1:${nms.rtmpPort}/live/room1%2Flesson`).start();
  tt.teardown(() => wrong.close());
  await new Promise((r) => setTimeout(r, 3000));
  tt.notOk(wrong.tags.some((x) => isKeyFrame(x.tag)), 'app "live" with name "room1/lesson" is another (absent) stream');
});

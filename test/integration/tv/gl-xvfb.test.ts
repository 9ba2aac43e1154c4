// The TV on the GL sink (glimagesink through Mesa on a private Xvfb screen),
// read as a person reads it: the idle card with its QR code, the words while
// connecting, the picture filling the screen, the pause mark and a failure.
// The X sink's full tour is words-xvfb.test.ts; this one checks that the
// cards and the full-screen picture do not depend on the sink.
import t from 'tap';
import { startDaemon } from '../../helpers/daemon';
import { startNginxRtmp, startPublisher } from '../../helpers/media-servers';
import { closedPort } from '../../helpers/tcp-servers';
import { keepShot, litShare, qrIn, readUntil, screenshot, startXvfb } from '../../helpers/tv';
import { sleep } from '../../helpers/time';

const PUB = { width: 640, height: 360, fps: 25, bitrateKbps: 600, gopSeconds: 1, audio: true };


t.test('on the GL sink the TV shows the same cards and a full-screen picture', async (t) => {
  const x = await startXvfb(1920, 1080);
  t.teardown(() => x.stop());
  const nginx = await startNginxRtmp();
  t.teardown(() => nginx.stop());
  const d = await startDaemon({
    args: ['--video-sink', 'gl', '--language', 'en', '--name', 'Room 3B', '--rejoin', 'off', '--reconnect-attempts', '0'],
    env: { DISPLAY: x.display },
  });
  t.teardown(() => d.stop());
  const sub = await d.subscribe();
  t.teardown(() => sub.close());

  const idle = await readUntil(() => screenshot(x.display), /Ready/);
  keepShot(idle.shot.png, 'tv-gl-idle-en.png');
  t.match(idle.text, /Ready/, `idle: the card says the TV is ready (read: ${idle.text.slice(0, 120)})`);
  t.ok(litShare(idle.shot) > 0.9, `and fills the 1920x1080 screen (${(litShare(idle.shot) * 100).toFixed(1)} % lit)`);
  t.equal(qrIn(idle.shot), (await d.api('GET', '/api/v1/pairing')).body.url, 'its QR code is the pairing address');

  const pub = await startPublisher(nginx.rtmpUrl('class1'), PUB);
  t.teardown(() => pub.stop());
  let from = sub.events.length;
  await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('class1') });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'playing' && sub.events.indexOf(e) >= from, 20000, 'playing');
  await sleep(1500);
  const playing = await screenshot(x.display);
  keepShot(playing.png, 'tv-gl-playing-en.png');
  t.ok(litShare(playing) > 0.9, `playing: the picture fills the screen (${(litShare(playing) * 100).toFixed(1)} % lit)`);

  await d.api('POST', '/api/v1/player/pause');
  // The mark is a small card at the top left, over the picture.
  const paused = await readUntil(() => screenshot(x.display), /Paused/, { width: 0.3, height: 0.15 });
  keepShot(paused.shot.png, 'tv-gl-paused-en.png');
  if (!t.match(paused.text, /Paused/, 'paused: the mark')) t.comment(d.logs().slice(-40).join('\n'));
  t.ok(litShare(paused.shot) > 0.8, `and the picture stays (${(litShare(paused.shot) * 100).toFixed(1)} % lit)`);

  await d.api('POST', '/api/v1/player/stop');
  from = sub.events.length;
  await d.api('PATCH', '/api/v1/player', { src: `rtmp://127.0.0.1:${await closedPort()}/live/class1` });
  await d.api('POST', '/api/v1/player/play');
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'error' && sub.events.indexOf(e) >= from, 15000, 'error');
  const failed = await readUntil(() => screenshot(x.display), /refused the/);
  keepShot(failed.shot.png, 'tv-gl-failed-refused-en.png');
  t.match(failed.text, /refused the/, 'a failure: its cause in words');
});

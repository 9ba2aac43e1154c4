// Status codes of a stream that was playing, each from a real cause through
// the real daemon: the server dies (3005, 2103, -2301, then playing again),
// the publisher stops (2006), the publisher changes picture size (2009).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDaemon } from '../../helpers/daemon';
import { publishedStream, spawnManaged, startNginxRtmp, startNodeMediaServer, startPublisher, waitForStream } from '../../helpers/media-servers';
import { parseFlv } from '../../../src/media/flv/parser';
import { FlvMuxer } from '../../../src/media/flv/writer';


t.test('3005 then 2103 when the server dies mid-stream; -2301 when it stays away', async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const pub = await startPublisher(nginx.rtmpUrl('s'));
  tt.teardown(() => pub.stop());
  await waitForStream(nginx.rtmpUrl('s'));
  const d = await startDaemon({ args: ['--reconnect-attempts', '2', '--reconnect-interval', '0.5', '--rejoin', 'off'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('s'), autoplay: true });
  await sub.waitForCode(2004, 15000);
  const from = sub.events.length;
  await nginx.managed.stop('SIGKILL');
  const lost = await sub.waitForCode(3005, 10000, from);
  tt.pass(`3005: ${lost.data.message}`);
  const re = await sub.waitForCode(2103, 5000, from);
  tt.match(re.data.message, /attempt 1 of 2/);
  await sub.waitForCode(-2301, 10000, from);
  const codes = sub.codes().slice(sub.codes().indexOf(3005));
  tt.equal(codes.filter((c) => c === 2103).length, 2, 'two reconnection attempts, each announced');
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'error');
  // After giving up the player can play again once the server is back.
  const { server: nginx2 } = await publishedStream(tt, { server: 'nginx', name: 's' });
  const from2 = sub.events.length;
  await d.api('PATCH', '/api/v1/player', { src: nginx2.rtmpUrl('s') });
  await sub.waitForCode(2004, 15000, from2);
  tt.equal((await d.api('GET', '/api/v1/player')).body.state, 'playing');
});

t.test('2006: the publisher stops (RTMP on nginx, HTTP-FLV on node-media-server)', async (tt) => {
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const nms = await startNodeMediaServer();
  tt.teardown(() => nms.stop());
  for (const [name, publishTo, playFrom] of [
    ['nginx RTMP', nginx.rtmpUrl('e'), nginx.rtmpUrl('e')],
    ['NMS HTTP-FLV', nms.rtmpUrl('e'), nms.flvUrl('e')],
  ] as const) {
    const pub = await startPublisher(publishTo);
    await waitForStream(playFrom);
    const d = await startDaemon({ args: ['--rejoin', 'off'] });
    const sub = await d.subscribe();
    await d.api('PATCH', '/api/v1/player', { src: playFrom, autoplay: true });
    await sub.waitForCode(2004, 15000);
    await pub.stop('SIGTERM');
    const ended = await sub.waitForCode(2006, 10000);
    tt.pass(`${name}: 2006 ${ended.data.message}`);
    tt.notOk(sub.codes().includes(2103), `${name}: an announced end is not a dropped connection`);
    await sub.waitFor((e) => e.event === 'state' && e.data.state === 'stopped', 5000, 'state stopped');
    await d.stop();
  }
});

t.test('2009: the publisher changes picture size mid-stream', async (tt) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-2009-'));
  tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // One FLV whose second half has a new sequence header at another size;
  // ffmpeg -c copy republishes it as one uninterrupted stream.
  const muxer = new FlvMuxer();
  const parts: Buffer[] = [];
  for (const size of ['640x360', '1280x720']) {
    const file = path.join(dir, `${size}.flv`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-f', 'lavfi', '-i', 'sine', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-f', 'flv', file]);
    for (const tag of parseFlv(readFileSync(file)).tags) {
      const b = muxer.write(tag);
      if (b) parts.push(b);
    }
    muxer.discontinuity();
  }
  const combined = path.join(dir, 'combined.flv');
  writeFileSync(combined, Buffer.concat(parts));
  const nginx = await startNginxRtmp();
  tt.teardown(() => nginx.stop());
  const d = await startDaemon();
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('r'), autoplay: true });
  const pub = spawnManaged('ffmpeg', ['-v', 'error', '-re', '-i', combined, '-c', 'copy', '-f', 'flv', nginx.rtmpUrl('r')]);
  tt.teardown(() => pub.stop());
  await sub.waitForCode(2004, 15000);
  const ev = await sub.waitForCode(2009, 10000);
  tt.match(ev.data.message, /640x360 → 1280x720/);
  // Playback goes on at the new size.
  await sub.waitFor((e) => e.event === 'netstatus' && e.data.info.videoWidth === 1280 && e.data.info.videoFPS > 10, 5000, 'netstatus at the new size');
});

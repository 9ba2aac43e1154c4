// A recorded .flv on a plain web server, sent at full speed with its
// Content-Length, plays from its start at its own pace: the first picture,
// frames rendered at the file's rate for its whole length, and 2006 when it
// ends (about its duration after the first picture), with no drop on the way.
// Before, it ended as 2006 after 0.8 s with no picture.
import t from 'tap';
import * as http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startDaemon } from '../../helpers/daemon';
import { makeFlv, tempDir } from '../../helpers/ffmpeg-files';

const SECONDS = 12;

t.test('a recorded .flv over plain HTTP plays at its own pace and ends with 2006', { timeout: 120000 }, async (tt) => {
  const file = makeFlv(tempDir(tt), { name: 'lesson', width: 640, height: 360, fps: 25, videoKbps: 800, gopFrames: 50, audioKbps: 96, seconds: SECONDS });
  const bytes = readFileSync(file);
  let sentInMs = -1;
  const server = http.createServer((_req, res) => {
    const t0 = Date.now();
    res.writeHead(200, { 'Content-Type': 'video/x-flv', 'Content-Length': bytes.length });
    // All at once: the kernel and Node take it as fast as the reader reads.
    res.end(bytes, () => (sentInMs = Date.now() - t0));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  tt.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  // --rejoin off: the daemon would otherwise watch the address after 2006 and play the file again.
  const d = await startDaemon({ args: ['--rejoin', 'off'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: `http://127.0.0.1:${(server.address() as AddressInfo).port}/lesson.flv` });
  await d.api('POST', '/api/v1/player/play');
  const first = await sub.waitForCode(2004, 15000);
  const end = await sub.waitForCode(2006, (SECONDS + 10) * 1000);
  const played = end.at - first.at;
  tt.comment(`2004 → 2006 in ${Math.round(played)} ms for a ${SECONDS} s file (the server finished sending ${sentInMs >= 0 ? `after ${sentInMs} ms` : 'never'})`);
  tt.ok(played > (SECONDS - 2) * 1000 && played < (SECONDS + 3) * 1000, `plays for about its length: ${Math.round(played)} ms`);
  const between = sub.events.filter((e) => e.at > first.at && e.at < end.at);
  const fps = between.filter((e) => e.event === 'netstatus').map((e) => e.data.info.renderFPS as number);
  // Per-second counts wobble on a busy machine (13 then 44); their mean is the rate, and none is a freeze.
  const steady = fps.slice(2, -1);
  const mean = steady.reduce((a, b) => a + b, 0) / Math.max(1, steady.length);
  tt.ok(steady.length >= SECONDS - 5 && mean >= 21 && mean <= 29 && steady.every((f) => f > 5), `rendered at the file's rate: mean ${mean.toFixed(1)} fps (renderFPS ${fps.join(' ')})`);
  // The last second of the file may end dry (2007) before the end is known (2006): the player cannot tell it from a stall.
  const stalls = between.filter((e) => e.event === 'statechange' && (e.data.code === 2103 || (e.data.code === 2007 && e.at < end.at - 1500)));
  tt.notOk(stalls.length, `no drop or buffering on the way${stalls.length ? `: ${stalls.map((e) => `${e.data.code} ${end.at - e.at} ms before the end`).join(', ')}` : ''}`);
  await sub.waitFor((e) => e.event === 'state' && e.data.state === 'stopped', 5000, 'state stopped');
});

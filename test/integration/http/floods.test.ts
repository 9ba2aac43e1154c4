// Bounded memory under hostile input, through the real daemon and GStreamer:
// a flood of script data before any media, one AMF0 strict array as large as
// an RTMP message can announce, an HTTP-FLV script tag of 15 MiB, and a 16 MiB
// video message. The parsers refuse what no stream sends (src/media/limits.ts)
// and the worker's peak RSS stays near its playing size; past its bound a
// worker ends itself and the player starts a fresh one, saying why.
import t from 'tap';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDaemon } from '../../helpers/daemon';
import { startHostileRtmp, type HostileMode } from '../../helpers/hostile-rtmp';
import { samplePeakChildRss } from '../../helpers/proc-memory';
import { publishedStream } from '../../helpers/media-servers';

/** The floods must stay under this, well below the daemon's own bound (WORKER_RSS_LIMIT_MIB, 300). */
const BOUND_MIB = 200;

async function hugeScriptOverHttp(): Promise<{ url: string; stop: () => Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'video/x-flv' });
    const n = 15 * 1024 * 1024;
    const head = Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
    const tag = Buffer.alloc(11);
    tag[0] = 18;
    tag.writeUIntBE(n, 1, 3);
    res.write(Buffer.concat([head, tag]));
    const body = Buffer.alloc(n, 0x05);
    body[0] = 0x0a;
    body.writeUInt32BE(n - 5, 1);
    res.write(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live/s.flv`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

t.test('floods: refused or bounded, worker peak RSS well under the bound', { timeout: 300000 }, async (tt) => {
  const d = await startDaemon({ args: ['--reconnect-attempts', '0', '--rejoin', 'off'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  const cases: Array<{ name: string; mode?: HostileMode; opts?: object; http?: true; says: RegExp; forMs: number }> = [
    { name: 'script data flood (64 KiB tags as fast as TCP takes them)', mode: 'script-flood', says: /timed out waiting for media|over its \d+ MiB bound/, forMs: 8000 },
    { name: 'AMF0 strict array in a 16 MiB script message', mode: 'huge-amf', says: /over the 1048576-byte limit/, forMs: 3000 },
    { name: 'HTTP-FLV script tag of 15 MiB', http: true, says: /over the 1048576-byte limit/, forMs: 3000 },
    { name: 'RTMP video message announced at 16 MiB', mode: 'drip', opts: { dripBytes: 0xffffff }, says: /over the 8388608-byte limit/, forMs: 3000 },
  ];
  for (const c of cases) {
    const srv = c.http ? await hugeScriptOverHttp() : await startHostileRtmp({ mode: c.mode!, ...c.opts });
    const url = typeof srv.url === 'function' ? srv.url() : srv.url;
    const from = sub.events.length;
    const rss = samplePeakChildRss(d.proc.pid!);
    await d.api('PATCH', '/api/v1/player', { src: url });
    await d.api('POST', '/api/v1/player/play');
    const gaveUp = await sub.waitForCode(-2301, c.forMs + 10000, from);
    const peak = rss.stop();
    tt.match(gaveUp.data.message, c.says, `${c.name}: ${gaveUp.data.message}`);
    tt.ok(peak < BOUND_MIB, `${c.name}: worker peak RSS ${peak.toFixed(0)} MiB`);
    tt.comment(`${c.name}: worker peak RSS ${peak.toFixed(0)} MiB`);
    await srv.stop();
  }
});

t.test('a worker past its memory bound ends; the player says why and plays on in a fresh one', { timeout: 120000 }, async (tt) => {
  const { server: nginx } = await publishedStream(tt, { server: 'nginx', name: 'm' });
  // The test hook lowers the bound under a playing worker's size (about 120 MiB here) so crossing it needs no real flood.
  const d = await startDaemon({ args: ['--reconnect-attempts', '3', '--reconnect-interval', '1'], env: { LIVEPLAYER_TEST_WORKER_RSS_MIB: '100' } });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  await d.api('PATCH', '/api/v1/player', { src: nginx.rtmpUrl('m') });
  await d.api('POST', '/api/v1/player/play');
  const drop = await sub.waitForCode(2103, 30000);
  tt.match(drop.data.message, /media process used \d+ MiB, over its 100 MiB bound/, drop.data.message);
  // A fresh session follows: it connects (2001) or, over the bound again, ends the same way.
  const next = await sub.waitFor(
    (e) => e.at > drop.at && e.event === 'statechange' && (e.data.code === 2001 || (e.data.code === 2103 && /over its 100 MiB bound/.test(e.data.message))),
    20000,
    'a fresh session after the bound',
  );
  tt.pass(`a fresh session: ${next.data.code} ${next.data.message}`);
});

// Every wait has a deadline: servers that accept the play and then send no
// media, media without a key frame, a key frame that never becomes a
// picture, a message that never completes, an SPS declaring 65536x65536, an
// HTTP-FLV response with headers then silence or a dripping body. Each
// becomes a drop (2103 with a message naming the stage) within the stall
// timeout (the key-frame stage: a 10 s GOP and 2 s, 12 s), through the real daemon and
// GStreamer; never "connecting" without a code for longer.
import t from 'tap';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDaemon } from '../../helpers/daemon';
import { startHostileRtmp, type HostileMode } from '../../helpers/hostile-rtmp';
import { samplePeakChildRss } from '../../helpers/proc-memory';

const STALL_S = 5;

interface Case {
  name: string;
  mode?: HostileMode;
  http?: 'silent-body' | 'drip-body';
  /** What the 2103 message must say. */
  says: RegExp;
  /** Upper bound (ms) from 2001 to 2103: the stage's deadline plus a tick and margin for a busy machine. */
  withinMs: number;
}

const cases: Case[] = [
  { name: 'connected, then no media', mode: 'silent', says: /timed out waiting for media/, withinMs: STALL_S * 1000 + 2500 },
  { name: 'audio and P-frames, never a key frame', mode: 'no-key-frame', says: /timed out waiting for a key frame/, withinMs: 12000 + 2500 },
  { name: 'a key frame that never becomes a picture', mode: 'undecodable-key-frame', says: /timed out waiting for the picture/, withinMs: STALL_S * 1000 + 1000 + 2500 },
  { name: 'a 4 MiB message dripped at 2 kB/s', mode: 'drip', says: /timed out waiting for media: .*\d+ bytes/, withinMs: STALL_S * 1000 + 2500 },
  { name: 'an SPS declaring 65536x65536', mode: 'huge-sps', says: /declares 65536x65536/, withinMs: 2500 },
  { name: 'HTTP-FLV: headers, then silence', http: 'silent-body', says: /timed out waiting for media/, withinMs: STALL_S * 1000 + 2500 },
  { name: 'HTTP-FLV: the FLV header, then one byte every 200 ms', http: 'drip-body', says: /timed out waiting for media/, withinMs: STALL_S * 1000 + 2500 },
];

async function httpHostile(kind: 'silent-body' | 'drip-body'): Promise<{ url: string; stop: () => Promise<void> }> {
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'video/x-flv' });
    res.flushHeaders();
    if (kind === 'silent-body') return;
    res.write(Buffer.from([0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]));
    const t = setInterval(() => res.write(Buffer.from([9])), 200);
    timers.add(t);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/live/s.flv`,
    stop: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

t.test('each stalled stage ends in 2103 naming it, within its deadline', { timeout: 300000 }, async (tt) => {
  const d = await startDaemon({ args: ['--reconnect-attempts', '1', '--reconnect-interval', '1', '--stall-timeout', String(STALL_S), '--rejoin', 'off'] });
  tt.teardown(() => d.stop());
  const sub = await d.subscribe();
  const figures: string[] = [];
  for (const c of cases) {
    const srv = c.mode ? await startHostileRtmp({ mode: c.mode }) : await httpHostile(c.http!);
    const url = 'url' in srv && typeof srv.url === 'function' ? srv.url() : (srv as { url: string }).url;
    const from = sub.events.length;
    const rss = samplePeakChildRss(d.proc.pid!);
    await d.api('PATCH', '/api/v1/player', { src: url });
    await d.api('POST', '/api/v1/player/play');
    const connected = await sub.waitForCode(2001, 10000, from);
    const drop = await sub.waitForCode(2103, c.withinMs + 5000, from);
    const ms = drop.at - connected.at;
    tt.match(drop.data.message, c.says, `${c.name}: ${drop.data.message}`);
    tt.ok(ms <= c.withinMs, `${c.name}: 2103 ${ms} ms after 2001 (limit ${c.withinMs} ms)`);
    // The reconnect policy goes on: the second attempt stalls the same way and the player gives up.
    await sub.waitForCode(-2301, c.withinMs + 8000, from);
    const state = (await d.api('GET', '/api/v1/player')).body.state;
    tt.equal(state, 'error', `${c.name}: gave up after the attempts`);
    const peak = rss.stop();
    figures.push(`${c.name}: 2001 → 2103 in ${ms.toFixed(0)} ms; worker peak RSS ${peak.toFixed(0)} MiB`);
    await srv.stop();
  }
  for (const f of figures) tt.comment(f);
});

// GET /api/v1/events over a real listening server on 127.0.0.1: the initial
// sync, event order, heartbeats, 100 subscribers, and the dropping of a
// subscriber that stops reading once its unsent bytes pass the bound.
import http from 'node:http';
import t from 'tap';
import { runLatency, formatResult } from '../../../bench/control-latency';
import { httpFixture } from '../../helpers/http-fixture';
import { holdSubscribers } from '../../helpers/http-holders';
import { SseClient } from '../../helpers/http-sse-client';

const SRC = 'rtmp://127.0.0.1:1935/live/test';

async function metric(f: { app: { inject: Function }; headers: () => Record<string, string> }, name: string): Promise<number> {
  const r = await (f.app.inject as (o: object) => Promise<{ body: string }>)({ method: 'GET', url: '/metrics', headers: f.headers() });
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(r.body);
  return m ? Number(m[1]) : NaN;
}

t.test('a subscriber starts in sync and sees every event in order', async (t) => {
  const f = await httpFixture(t);
  f.player.setAttributes({ muted: true });
  const base = await f.listen();
  const c = await SseClient.connect(base, f.headers());
  t.teardown(() => c.close());
  t.equal(c.status, 200);
  await c.until(() => c.events.length >= 2);
  t.same(c.events.slice(0, 2), [
    { event: 'attributes', data: f.player.attributes },
    { event: 'state', data: { state: 'idle' } },
  ]);

  const post = (m: string, body?: object) =>
    f.app.inject({ method: 'POST', url: `/api/v1/player/${m}`, headers: f.headers(), ...(body ? { payload: body } : {}) });
  await f.app.inject({ method: 'PATCH', url: '/api/v1/player', headers: f.headers(), payload: { src: SRC } });
  await post('play');
  f.engine.start();
  f.engine.events!.netstatus({ videoBitrate: 900 });
  f.engine.events!.volume(0.5);
  await post('requestFullScreen', { direction: -90 });
  await post('requestPictureInPicture');
  await post('stop');
  const expected = [
    'attributes', 'state', // initial
    'attributes', 'state', // src set, play -> connecting
    'statechange', 'statechange', 'statechange', 'statechange', 'statechange', 'state', // 2001 2002 2003 2008 2004 -> playing
    'netstatus', 'audiovolumenotify', 'fullscreenchange', 'pictureinpicture', 'state', // stopped
  ];
  await c.until(() => c.events.length >= expected.length);
  t.same(c.names(), expected);
  t.same(c.events.filter((e) => e.event === 'statechange').map((e) => (e.data as { code: number }).code), [2001, 2002, 2003, 2008, 2004]);
  t.match(c.events[4]!.data, { code: 2001, message: /^Connected to the server/ });
  t.same(c.events[10]!.data, { info: { videoBitrate: 900 } });
  t.same(c.events[11]!.data, { volume: 0.5 });
  t.same(c.events[12]!.data, { direction: -90, fullScreen: true });
  t.same(c.events[14]!.data, { state: 'stopped' });
});

t.test('heartbeats keep the stream alive; the subscriber limit answers 503', async (t) => {
  const f = await httpFixture(t, { http: { sse: { heartbeatMs: 50, maxClients: 2 } } });
  const base = await f.listen();
  const a = await SseClient.connect(base, f.headers());
  const b = await SseClient.connect(base, f.headers());
  t.teardown(() => (a.close(), b.close()));
  await a.until(() => a.comments >= 2, 2000);
  t.pass(`${a.comments} heartbeat comments`);
  const third = await f.app.inject({ method: 'GET', url: '/api/v1/events', headers: f.headers() });
  t.equal(third.statusCode, 503);
  t.same(third.json(), { errMsg: 'events:fail too many event subscribers' });
  b.close();
  await f.app.inject({ method: 'GET', url: '/api/v1/player', headers: f.headers() });
  const deadline = Date.now() + 2000;
  while ((await metric(f, 'liveplayer_sse_subscribers')) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.equal(await metric(f, 'liveplayer_sse_subscribers'), 1, 'a closed subscriber is forgotten');
});

t.test('100 subscribers all get every event in the same order', async (t) => {
  const f = await httpFixture(t);
  const base = await f.listen();
  const clients = await Promise.all(Array.from({ length: 100 }, () => SseClient.connect(base, f.headers())));
  t.teardown(() => clients.forEach((c) => c.close()));
  await runLatency({ base, token: f.token(), subscribers: 0, iterations: 50 });
  // initial, then unmute+mute per iteration incl. 20 warm-up (the very first unmute changes nothing), then the restore
  const perClient = 1 + (2 * 70 - 1) + 1;
  await Promise.all(clients.map((c) => c.until(() => c.events.filter((e) => e.event === 'attributes').length >= perClient, 20_000)));
  const sequences = new Set(clients.map((c) => JSON.stringify(c.events.map((e) => (e.data as { muted?: boolean }).muted))));
  t.equal(sequences.size, 1, 'every subscriber saw the same sequence');
  t.equal(clients[0]!.events.filter((e) => e.event === 'attributes').length, perClient, 'and nothing twice');
});

t.test('control calls with 100 subscribers (held by another process)', async (t) => {
  const f = await httpFixture(t);
  const base = await f.listen();
  const holders = await holdSubscribers(base, f.token(), 100);
  const r = await runLatency({ base, token: f.token(), subscribers: 0, iterations: 300 });
  const seen = await holders.release();
  t.equal(seen.length, 100);
  t.ok(seen.every((n) => n >= 2 * 320 - 1), `every subscriber saw every change (min ${Math.min(...seen)})`);
  console.log(`# ${formatResult({ ...r, subscribers: 100 }).replace(/\n/g, '\n# ')}`);
  // A loose bound that still catches the classic failure (Nagle and delayed ACK: p50 near 40 ms).
  t.ok(r.mute.p50 < 20, `mute p50 ${r.mute.p50.toFixed(2)} ms, p99 ${r.mute.p99.toFixed(2)} ms`);
  t.ok(r.get.p50 < 20, `get p50 ${r.get.p50.toFixed(2)} ms, p99 ${r.get.p99.toFixed(2)} ms`);
});

t.test('a subscriber that stops reading is dropped once its buffer passes the bound', async (t) => {
  // The production bound (1 MiB).
  const f = await httpFixture(t);
  const base = await f.listen();
  const stuck = await SseClient.connect(base, f.headers());
  const good = await SseClient.connect(base, f.headers());
  t.teardown(() => (stuck.close(), good.close()));
  await stuck.until(() => stuck.events.length >= 2);
  stuck.pause();
  // 16 KiB events straight from the player, four per turn of the loop so the
  // reading subscriber (in this same process) gets its turn to read.
  const info: Record<string, number> = {};
  for (let i = 0; i < 800; i++) info[`k${String(i).padStart(5, '0')}`] = i + 0.123456;
  let sent = 0;
  while ((await metric(f, 'liveplayer_sse_dropped')) === 0 && sent < 64 * 1024 * 1024) {
    for (let i = 0; i < 4; i++) f.player.emit('netstatus', { info });
    sent += 4 * JSON.stringify(info).length;
    await new Promise((r) => setTimeout(r, 1));
  }
  t.equal(await metric(f, 'liveplayer_sse_dropped'), 1, `the stuck subscriber was dropped after ${(sent / 1048576).toFixed(1)} MiB`);
  t.equal(await metric(f, 'liveplayer_sse_subscribers'), 1, 'the reading one stays');
  f.player.setAttributes({ muted: true });
  await good.until(() => good.events.some((e) => e.event === 'attributes' && (e.data as { muted: boolean }).muted));
  t.pass('the reading subscriber still gets events');
  const mem = process.memoryUsage().rss / 1048576;
  t.ok(mem < 1024, `rss ${mem.toFixed(0)} MiB`);
});

t.test('closing the app ends open streams instead of hanging', async (t) => {
  const f = await httpFixture(t);
  const base = await f.listen();
  const c = await SseClient.connect(base, f.headers());
  const t0 = Date.now();
  await f.app.close();
  await c.until(() => c.closed, 3000);
  t.ok(Date.now() - t0 < 3000, `closed in ${Date.now() - t0} ms`);
  t.rejects(
    new Promise((resolve, reject) => http.get(`${base}/healthz`, resolve).on('error', reject)),
    'the server no longer listens',
  );
});

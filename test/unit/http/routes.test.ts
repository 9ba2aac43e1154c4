// Every route of the contract's HTTP table through inject(), over a real
// LivePlayer: the errMsg convention, 409 for the caller's state, 400 for bad
// values with nothing changed, snapshots round-tripping to a served image.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { httpFixture, PNG_1X1 } from '../../helpers/http-fixture';

const SRC = 'rtmp://127.0.0.1:1935/live/test';

t.test('GET /api/v1/player answers the whole player view', async (t) => {
  const f = await httpFixture(t);
  const r = await f.app.inject({ method: 'GET', url: '/api/v1/player', headers: f.headers() });
  t.equal(r.statusCode, 200);
  const v = r.json();
  t.same(Object.keys(v).sort(), ['attributes', 'fullScreen', 'lastCode', 'netStatus', 'pictureInPicture', 'state']);
  t.equal(v.state, 'idle');
  t.same(v.fullScreen, { fullScreen: false, direction: 0 });
  t.equal(v.lastCode, null);
  t.same(v.attributes, f.player.attributes);
});

// Method, body, expected status and errMsg, with no src and nothing playing.
const IDLE_CASES: [string, unknown, number, string][] = [
  ['play', undefined, 409, 'play:fail no src set'],
  ['stop', undefined, 200, 'stop:ok'],
  ['mute', undefined, 200, 'mute:ok'],
  ['pause', undefined, 409, 'pause:fail not playing'],
  ['resume', undefined, 409, 'resume:fail not paused'],
  ['requestFullScreen', { direction: 90 }, 200, 'requestFullScreen:ok'],
  ['requestFullScreen', {}, 200, 'requestFullScreen:ok'],
  ['exitFullScreen', undefined, 200, 'exitFullScreen:ok'],
  ['requestPictureInPicture', undefined, 200, 'requestPictureInPicture:ok'],
  ['exitPictureInPicture', undefined, 200, 'exitPictureInPicture:ok'],
  ['snapshot', undefined, 409, 'snapshot:fail no frame to capture yet'],
  ['snapshot', { quality: 'compressed' }, 409, 'snapshot:fail no frame to capture yet'],
];

t.test('each method answers in the mini-program convention when idle', async (t) => {
  const f = await httpFixture(t);
  for (const [method, body, status, errMsg] of IDLE_CASES) {
    const r = await f.app.inject({ method: 'POST', url: `/api/v1/player/${method}`, headers: f.headers(), ...(body === undefined ? {} : { payload: body as object }) });
    t.equal(r.statusCode, status, `${method} ${JSON.stringify(body)}`);
    t.same(r.json(), { errMsg }, method);
  }
  t.equal(f.player.attributes.muted, true, 'mute muted');
});

t.test('bad method arguments are refused with 400 in the method name', async (t) => {
  const f = await httpFixture(t);
  const cases: [string, unknown][] = [
    ['requestFullScreen', { direction: 45 }],
    ['requestFullScreen', { direction: '90' }],
    ['requestFullScreen', { direction: 90, extra: 1 }],
    ['snapshot', { quality: 'best' }],
    ['snapshot', { sourceType: 'screen' }],
    ['play', { now: true }],
  ];
  for (const [method, body] of cases) {
    const r = await f.app.inject({ method: 'POST', url: `/api/v1/player/${method}`, headers: f.headers(), payload: body as object });
    t.equal(r.statusCode, 400, `${method} ${JSON.stringify(body)}`);
    t.match(r.json().errMsg, new RegExp(`^${method}:fail `));
  }
  t.same(f.player.view().fullScreen, { fullScreen: false, direction: 0 }, 'full screen untouched');
  t.same(f.engine.calls, [], 'the engine was never asked anything');
});

t.test('play, pause, resume, snapshot and stop drive the engine', async (t) => {
  const f = await httpFixture(t);
  const post = (m: string, payload?: object) =>
    f.app.inject({ method: 'POST', url: `/api/v1/player/${m}`, headers: f.headers(), ...(payload ? { payload } : {}) });
  const patch = await f.app.inject({ method: 'PATCH', url: '/api/v1/player', headers: f.headers(), payload: { src: SRC } });
  t.equal(patch.statusCode, 200);
  t.equal(patch.json().attributes.src, SRC);
  t.same((await post('play')).json(), { errMsg: 'play:ok' });
  t.same(f.engine.calls, ['open']);
  t.equal(f.player.state, 'connecting');
  f.engine.start();
  t.equal(f.player.state, 'playing');
  t.same((await post('pause')).json(), { errMsg: 'pause:ok' });
  t.equal(f.player.state, 'paused');
  t.same((await post('resume')).json(), { errMsg: 'resume:ok' });

  const raw = await post('snapshot', { quality: 'raw', sourceType: 'view' });
  t.equal(raw.statusCode, 200);
  t.same(raw.json(), { errMsg: 'snapshot:ok', tempImagePath: '/api/v1/snapshots/snap-1.png', width: 1, height: 1 });
  const img = await f.app.inject({ method: 'GET', url: raw.json().tempImagePath, headers: f.headers() });
  t.equal(img.statusCode, 200);
  t.equal(img.headers['content-type'], 'image/png');
  t.same(img.rawPayload, PNG_1X1);
  const jpg = await post('snapshot', { quality: 'compressed' });
  t.match(jpg.json().tempImagePath, /^\/api\/v1\/snapshots\/snap-2\.jpg$/);

  f.engine.events!.netstatus({ videoBitrate: 800, netSpeed: 912.5 });
  await post('requestFullScreen', { direction: 90 });
  const view = (await f.app.inject({ method: 'GET', url: '/api/v1/player', headers: f.headers() })).json();
  t.equal(view.state, 'playing');
  t.same(view.netStatus, { videoBitrate: 800, netSpeed: 912.5 });
  t.same(view.fullScreen, { fullScreen: true, direction: 90 });
  t.equal(view.lastCode.code, 2004);
  t.same((await post('stop')).json(), { errMsg: 'stop:ok' });
  t.equal(f.player.state, 'stopped');
  t.same(f.engine.calls, ['open', 'pause', 'resume', 'snapshot:raw:view', 'snapshot:compressed:stream', 'update', 'stop']);
});

t.test('a snapshot written outside the snapshot folder is not offered', async (t) => {
  const f = await httpFixture(t);
  f.player.setAttributes({ src: SRC });
  f.player.play();
  f.engine.start();
  f.engine.snapshotTarget = f.stateDir;
  const r = await f.app.inject({ method: 'POST', url: '/api/v1/player/snapshot', headers: f.headers() });
  t.equal(r.statusCode, 500);
  t.match(r.json().errMsg, /^snapshot:fail /);
});

// Bad patches: each must be refused with 400 and leave every attribute as it was.
const BAD_PATCHES: [string, unknown][] = [
  ['unknown scheme', { src: 'file:///etc/passwd' }],
  ['not a URL', { src: 'not a url' }],
  ['wrong type', { muted: 'yes' }],
  ['number as string', { minCache: '1' }],
  ['unknown enum', { mode: 'vod' }],
  ['negative', { minCache: -1 }],
  ['huge', { maxCache: 1e308 }],
  ['min over max', { minCache: 5, maxCache: 1 }],
  ['unknown key', { loudness: 3 }],
  ['good and bad together', { muted: true, mode: 'x' }],
  ['array body', [1, 2]],
  ['string body', 'src'],
  ['null body', null],
  ['src too long', { src: `rtmp://h/${'a'.repeat(3000)}` }],
];

t.test('PATCH with a bad value answers 400 and changes nothing', async (t) => {
  const f = await httpFixture(t);
  const before = f.player.attributes;
  for (const [name, body] of BAD_PATCHES) {
    const r = await f.app.inject({
      method: 'PATCH',
      url: '/api/v1/player',
      headers: { ...f.headers(), 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    t.equal(r.statusCode, 400, name);
    t.match(r.json().errMsg, /^setAttributes:fail /, name);
  }
  t.same(f.player.attributes, before, 'attributes unchanged');
  t.same(f.engine.calls, []);
});

t.test('PATCH applies a good subset and answers the new player; muted:false unmutes', async (t) => {
  const f = await httpFixture(t);
  await f.app.inject({ method: 'POST', url: '/api/v1/player/mute', headers: f.headers() });
  const r = await f.app.inject({ method: 'PATCH', url: '/api/v1/player', headers: f.headers(), payload: { muted: false, objectFit: 'fillCrop', minCache: 0.5 } });
  t.equal(r.statusCode, 200);
  t.match(r.json().attributes, { muted: false, objectFit: 'fillCrop', minCache: 0.5 });
  t.same(r.json().attributes, f.player.attributes);
  const empty = await f.app.inject({ method: 'PATCH', url: '/api/v1/player', headers: { ...f.headers(), 'content-type': 'application/json' }, payload: '' });
  t.equal(empty.statusCode, 200, 'an empty JSON body is an empty patch');
});

t.test('pairing and sessions answer 501 until the phone remote exists, then delegate', async (t) => {
  const f = await httpFixture(t);
  const p = await f.app.inject({ method: 'GET', url: '/api/v1/pairing', headers: f.headers() });
  t.equal(p.statusCode, 501);
  t.same(p.json(), { errMsg: 'pairing:fail not available' });
  const s = await f.app.inject({ method: 'DELETE', url: '/api/v1/sessions', headers: f.headers() });
  t.equal(s.statusCode, 501);
  t.same(s.json(), { errMsg: 'sessions:fail not available' });

  let forgotten = 0;
  const g = await httpFixture(t, {
    pairing: { current: () => ({ url: 'http://10.0.0.5:8080/pair#x', expiresAt: '2026-01-01T00:00:00.000Z' }), forgetAll: () => void forgotten++ },
  });
  t.same((await g.app.inject({ method: 'GET', url: '/api/v1/pairing', headers: g.headers() })).json(), { url: 'http://10.0.0.5:8080/pair#x', expiresAt: '2026-01-01T00:00:00.000Z' });
  t.same((await g.app.inject({ method: 'DELETE', url: '/api/v1/sessions', headers: g.headers() })).json(), { errMsg: 'sessions:ok' });
  t.equal(forgotten, 1);
});

t.test('healthz needs no token; unknown routes answer 404 in the convention', async (t) => {
  const f = await httpFixture(t);
  const h = await f.app.inject({ method: 'GET', url: '/healthz' });
  t.equal(h.statusCode, 200);
  t.same(h.json(), { status: 'ok' });
  const n = await f.app.inject({ method: 'GET', url: '/api/v1/nothing', headers: f.headers() });
  t.equal(n.statusCode, 404);
  t.same(n.json(), { errMsg: 'request:fail not found' });
  const m = await f.app.inject({ method: 'DELETE', url: '/api/v1/player', headers: f.headers() });
  t.equal(m.statusCode, 404);
  t.ok(fs.existsSync(path.join(f.stateDir, 'token')));
});

// The generated OpenAPI document covers every route of the contract with
// closed schemas, and /metrics is parseable Prometheus text fed by the
// player's events.
import t from 'tap';
import { httpFixture } from '../../helpers/http-fixture';

const CONTRACT: [string, string][] = [
  ['get', '/api/v1/player'],
  ['patch', '/api/v1/player'],
  ...['play', 'stop', 'mute', 'pause', 'resume', 'requestFullScreen', 'exitFullScreen', 'requestPictureInPicture', 'exitPictureInPicture', 'snapshot'].map(
    (m): [string, string] => ['post', `/api/v1/player/${m}`],
  ),
  ['get', '/api/v1/snapshots/{file}'],
  ['get', '/api/v1/events'],
  ['get', '/api/v1/openapi.json'],
  ['get', '/api/v1/pairing'],
  ['post', '/api/v1/pairing/show'],
  ['delete', '/api/v1/sessions'],
  ['get', '/healthz'],
  ['get', '/metrics'],
];

t.test('openapi.json lists every route of the contract with closed schemas', async (t) => {
  const f = await httpFixture(t);
  const r = await f.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: f.headers() });
  t.equal(r.statusCode, 200);
  const doc = r.json();
  t.match(doc.openapi, /^3\./);
  for (const [method, p] of CONTRACT) t.ok(doc.paths?.[p]?.[method], `${method.toUpperCase()} ${p}`);
  const count = Object.values(doc.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0);
  t.equal(count, CONTRACT.length, 'no route missing from the contract table, none extra');
  const patch = doc.paths['/api/v1/player'].patch.requestBody.content['application/json'].schema;
  t.equal(patch.additionalProperties, false);
  t.equal(doc.paths['/api/v1/player/requestFullScreen'].post.requestBody.required, false, 'bodies may be left out');
  t.ok(patch.properties.src && patch.properties.soundMode, 'the attribute schema is the player one');
  const view = doc.paths['/api/v1/player'].get.responses['200'].content['application/json'].schema;
  t.equal(view.additionalProperties, false);
  t.same(doc.paths['/healthz'].get.security, [], 'healthz is public');
  t.same(doc.components.securitySchemes.bearerAuth, { type: 'http', scheme: 'bearer' });
  t.ok(doc.paths['/api/v1/player/play'].post.responses['4XX'] ?? doc.paths['/api/v1/player/play'].post.responses['4xx'], 'errors documented');
});

t.test('every operation has a unique operationId, the LivePlayerContext method where there is one', async (t) => {
  const f = await httpFixture(t);
  const doc = (await f.app.inject({ method: 'GET', url: '/api/v1/openapi.json', headers: f.headers() })).json();
  const ids = new Map<string, string>();
  for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, { operationId?: string }>>)) {
    for (const [method, op] of Object.entries(ops)) {
      t.match(op.operationId, /^[a-z][A-Za-z]+$/, `${method.toUpperCase()} ${p} has an operationId (${op.operationId})`);
      t.notOk(ids.has(op.operationId!), `${op.operationId} is used once (also ${ids.get(op.operationId!)})`);
      ids.set(op.operationId!, `${method} ${p}`);
    }
  }
  const id = (method: string, p: string) => doc.paths[p][method].operationId;
  for (const m of ['play', 'stop', 'mute', 'pause', 'resume', 'requestFullScreen', 'exitFullScreen', 'requestPictureInPicture', 'exitPictureInPicture', 'snapshot']) {
    t.equal(id('post', `/api/v1/player/${m}`), m, `POST /api/v1/player/${m} is ${m}`);
  }
  t.equal(id('patch', '/api/v1/player'), 'setAttributes');
  t.equal(id('get', '/api/v1/player'), 'getPlayer');
  t.equal(id('get', '/metrics'), 'getMetrics');
});

/** Parses Prometheus text into `name{labels}` -> value, failing on any malformed line. */
function parseProm(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return out;
}

t.test('/metrics has state, codes, reconnects, netstatus and request durations', async (t) => {
  const f = await httpFixture(t);
  f.player.setAttributes({ src: 'rtmp://127.0.0.1/live/x' });
  f.player.play();
  f.engine.start();
  f.engine.events!.netstatus({ videoBitrate: 800, netSpeed: 950, videoFPS: 25 });
  f.engine.events!.code(2005);
  f.engine.events!.code(2005);
  f.engine.events!.dropped(3005, 'read failed');
  await f.app.inject({ method: 'GET', url: '/api/v1/player', headers: f.headers() });
  await f.app.inject({ method: 'POST', url: '/api/v1/player/pause', headers: f.headers() });
  const r = await f.app.inject({ method: 'GET', url: '/metrics', headers: f.headers() });
  t.equal(r.statusCode, 200);
  t.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const m = parseProm(r.body);
  t.equal(m.get('liveplayer_state{state="reconnecting"}'), 1);
  t.equal(m.get('liveplayer_state{state="playing"}'), 0);
  t.equal(m.get('liveplayer_last_status_code'), 2103);
  t.equal(m.get('liveplayer_status_codes_total{code="2004"}'), 1);
  t.equal(m.get('liveplayer_status_codes_total{code="2005"}'), 2);
  t.equal(m.get('liveplayer_status_codes_total{code="3005"}'), 1);
  t.equal(m.get('liveplayer_reconnects_total'), 1);
  t.equal(m.get('liveplayer_netstatus{key="videoBitrate"}'), 800);
  t.equal(m.get('liveplayer_netstatus{key="netSpeed"}'), 950);
  t.equal(m.get('liveplayer_video_bitrate_bits_per_second'), 800_000, 'kbps become bits per second');
  t.equal(m.get('liveplayer_receive_bits_per_second'), 950_000);
  t.equal(m.get('liveplayer_video_frames_per_second'), 25);
  t.equal(m.get('liveplayer_network_jitter_seconds'), 0, 'a key the netstatus lacks reads 0');
  t.equal(m.get('liveplayer_http_request_duration_seconds_count{route="/api/v1/player",method="GET",status="200"}'), 1);
  t.equal(m.get('liveplayer_http_request_duration_seconds_count{route="/api/v1/player/pause",method="POST",status="409"}'), 1);

  await f.player.stop();
  const after = parseProm((await f.app.inject({ method: 'GET', url: '/metrics', headers: f.headers() })).body);
  t.equal(after.get('liveplayer_state{state="stopped"}'), 1);
  t.equal(after.get('liveplayer_netstatus{key="videoBitrate"}'), undefined, 'figures of a finished session are gone');
  t.equal(after.get('liveplayer_video_bitrate_bits_per_second'), 0, 'the per-quantity gauges read 0');
});

t.test('Prometheus conventions: base units, counters end in _total, one build_info', async (t) => {
  const f = await httpFixture(t);
  f.player.setAttributes({ src: 'rtmp://127.0.0.1/live/x' });
  f.player.play();
  f.engine.start();
  f.engine.events!.netstatus({ videoBitrate: 1200, audioBitrate: 64, netSpeed: 1300, videoFPS: 30, renderFPS: 29, videoGOP: 2, netJitter: 12, videoWidth: 1280, videoHeight: 720, videoCache: 400, audioCache: 350, liveDelay: 900 });
  const r = await f.app.inject({ method: 'GET', url: '/metrics', headers: f.headers() });
  const m = parseProm(r.body);
  const want: Record<string, number> = {
    liveplayer_video_bitrate_bits_per_second: 1_200_000,
    liveplayer_audio_bitrate_bits_per_second: 64_000,
    liveplayer_receive_bits_per_second: 1_300_000,
    liveplayer_video_frames_per_second: 30,
    liveplayer_render_frames_per_second: 29,
    liveplayer_video_gop_seconds: 2,
    liveplayer_network_jitter_seconds: 0.012,
    liveplayer_video_width_pixels: 1280,
    liveplayer_video_height_pixels: 720,
    liveplayer_video_cache_seconds: 0.4,
    liveplayer_audio_cache_seconds: 0.35,
    liveplayer_live_delay_seconds: 0.9,
  };
  for (const [name, v] of Object.entries(want)) t.ok(Math.abs((m.get(name) ?? NaN) - v) < 1e-9, `${name} = ${m.get(name)} (want ${v})`);
  const types = new Map([...r.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((x) => [x[1]!, x[2]!]));
  for (const [name, type] of types) {
    if (type === 'counter') t.match(name, /_total$/, `counter ${name} ends in _total`);
  }
  t.equal(types.get('liveplayer_sse_dropped_subscribers_total'), 'counter', 'dropped subscribers is a counter');
  t.equal(types.get('liveplayer_sse_dropped'), 'gauge', 'the old gauge name stays for existing scrapers');
  const info = [...m.entries()].filter(([k]) => k.startsWith('liveplayer_build_info{'));
  t.equal(info.length, 1, 'one build_info series');
  t.match(info[0]?.[0], new RegExp(`version="\\d+\\.\\d+\\.\\d+",node="${process.versions.node.replace(/\./g, '\\.')}",gstreamer="[^"]+"`));
  t.equal(info[0]?.[1], 1);
});

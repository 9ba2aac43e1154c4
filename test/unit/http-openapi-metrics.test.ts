// The generated OpenAPI document covers every route of the contract with
// closed schemas, and /metrics is parseable Prometheus text fed by the
// player's events.
import t from 'tap';
import { httpFixture } from '../helpers/http-fixture';

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
  t.equal(m.get('liveplayer_http_request_duration_seconds_count{route="/api/v1/player",method="GET",status="200"}'), 1);
  t.equal(m.get('liveplayer_http_request_duration_seconds_count{route="/api/v1/player/pause",method="POST",status="409"}'), 1);

  await f.player.stop();
  const after = parseProm((await f.app.inject({ method: 'GET', url: '/metrics', headers: f.headers() })).body);
  t.equal(after.get('liveplayer_state{state="stopped"}'), 1);
  t.equal(after.get('liveplayer_netstatus{key="videoBitrate"}'), undefined, 'figures of a finished session are gone');
});

// Robustness: more than 5,000 malformed requests against the listening
// server (random bytes over raw TCP, wrong types, huge values,
// prototype-pollution keys, wrong content types, unknown routes, bad names):
// no 5xx, no crash, and the attributes are what they were.
import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { httpFixture } from '../../helpers/http-fixture';
import { Gen, rawPayload, rng } from '../../helpers/http-fuzz-gen';

const SEED = Number(process.env.HTTP_FUZZ_SEED ?? 20261125);

async function pool<T>(n: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]!();
      }
    }),
  );
  return out;
}

/** Sends raw bytes, half-closes, and returns the status code answered (0: none). */
function raw(port: number, payload: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    const done = () => resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(got)?.[1] ?? 0));
    s.setTimeout(5000, () => s.destroy());
    s.on('data', (c) => (got += c.toString('latin1').slice(0, 64)));
    s.on('error', () => undefined);
    s.on('close', done);
    s.end(payload);
  });
}

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

function send(agent: http.Agent, port: number, r: Req): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = r.body === undefined ? r.headers : { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) };
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(r.body);
  });
}

// encodeURIComponent throws on a lone surrogate, which the generator makes on purpose.
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

function structured(g: Gen, token: string): Req {
  const auth = { authorization: `Bearer ${token}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const methods = ['play', 'stop', 'mute', 'pause', 'resume', 'requestFullScreen', 'exitFullScreen', 'requestPictureInPicture', 'exitPictureInPicture', 'snapshot'];
  return g.pick<() => Req>([
    () => ({ method: 'PATCH', path: '/api/v1/player', headers: json, body: JSON.stringify(g.badPatch()) }),
    () => ({ method: 'PATCH', path: '/api/v1/player', headers: json, body: g.badJson() }),
    () => ({ method: 'POST', path: `/api/v1/player/${g.pick(methods)}`, headers: json, body: g.r() < 0.5 ? g.badJson() : JSON.stringify(g.badPatch()) }),
    () => ({ method: 'POST', path: '/api/v1/player/requestFullScreen', headers: json, body: JSON.stringify({ direction: g.pick([45, '90', null, 1e308, -0.5, [90], true]) }) }),
    () => ({ method: g.pick(['PATCH', 'POST']), path: g.pick(['/api/v1/player', '/api/v1/player/mute']), headers: { ...auth, 'content-type': g.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'image/png', 'application/jsonx', ';;;']) }, body: '{"muted":true}' }),
    () => ({ method: 'PATCH', path: '/api/v1/player', headers: json, body: JSON.stringify({ src: `rtmp://h/${'a'.repeat(20_000 + g.int(100_000))}` }) }),
    () => ({ method: g.pick(['GET', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'POST', 'SEARCH']), path: `/${g.pick(['api/v1/', 'api/v2/', '', 'api/v1/player/'])}${enc(g.string(30))}`, headers: auth }),
    () => ({ method: 'GET', path: `/api/v1/snapshots/${g.pick(['..%2ftoken', '%2e%2e%2ftoken', 'a.png/../../x', enc(g.string(20)), `${g.string(5).replace(/[^a-z]/g, '')}x.png`, '%00.png', '..'])}`, headers: auth }),
    () => ({ method: 'POST', path: '/api/v1/player/mute', headers: { authorization: g.pick(['', 'Bearer', `Bearer ${token}x`, `bearer  ${g.string(10).replace(/[^\x20-\x7e]/g, "x")}`, `Basic ${token}`, 'Bearer \u00e9']) } }),
    () => ({ method: 'POST', path: '/api/v1/player/mute', headers: { ...auth, host: g.pick(['evil.example', 'localhost.evil.example', '1.2.3.4', '[::2]']) } }),
    () => ({ method: 'POST', path: '/api/v1/player/mute', headers: { ...auth, ...g.pick([{ origin: 'http://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) } }),
    () => ({ method: 'GET', path: `/api/v1/player?${enc(g.string(40))}=${g.pick(['__proto__', 'constructor'])}&__proto__[muted]=true`, headers: auth }),
    () => ({ method: 'POST', path: '/api/v1/player/mute', headers: { ...json, 'content-encoding': g.pick(['gzip', 'br', 'x']) }, body: g.bytes(50) }),
  ])();
}

t.test('5,000+ malformed requests: no 5xx, no crash, attributes unchanged', async (t) => {
  const f = await httpFixture(t, { http: { authFailures: { max: 1_000_000, windowMs: 60_000 } } });
  const base = await f.listen();
  const port = Number(new URL(base).port);
  const before = f.player.attributes;
  const g = new Gen(rng(SEED));

  const rawStatuses = await pool(16, Array.from({ length: 2000 }, () => () => raw(port, rawPayload(g, port))));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  t.teardown(() => agent.destroy());
  const reqs = Array.from({ length: 3500 }, () => structured(g, f.token()));
  const statuses = await pool(16, reqs.map((r) => () => send(agent, port, r)));

  const tally = new Map<number, number>();
  for (const s of [...rawStatuses, ...statuses]) tally.set(s, (tally.get(s) ?? 0) + 1);
  console.log(`# seed ${SEED}: ${rawStatuses.length} raw + ${statuses.length} structured; answers ${JSON.stringify(Object.fromEntries([...tally].sort()))}`);
  t.ok(rawStatuses.length + statuses.length >= 5000);
  t.same([...tally.keys()].filter((s) => s >= 500), [], 'no 5xx');
  const ok2xx = statuses.map((s, i) => [s, reqs[i]!] as const).filter(([s, r]) => s >= 200 && s < 300 && r.method !== 'GET');
  t.same(ok2xx.map(([s, r]) => `${s} ${r.method} ${r.path} ${String(r.body).slice(0, 80)}`), [], 'no malformed change was accepted');
  t.ok((tally.get(400) ?? 0) > 1000 && (tally.get(415) ?? 0) > 0 && (tally.get(413) ?? 0) > 0 && (tally.get(404) ?? 0) > 0, 'the refusals are the expected kinds');

  t.same(f.player.attributes, before, 'attributes unchanged');
  t.equal(f.player.state, 'idle');
  t.equal(({} as Record<string, unknown>).muted, undefined, 'Object.prototype untouched');
  const alive = await send(agent, port, { method: 'GET', path: '/api/v1/player', headers: { authorization: `Bearer ${f.token()}` } });
  t.equal(alive, 200, 'still serving');
});

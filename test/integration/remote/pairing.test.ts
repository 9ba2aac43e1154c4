// Pairing and phone sessions through the real daemon with a plain HTTP
// client: the code is single-use, the cookie's flags, the Origin and
// Sec-Fetch-Site checks on cookie requests (CSRF), "forget all phones",
// sessions and revocation across a restart, the channels API's validation,
// and the secrets (token, session id, code) never in the page or the log.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

function request(base: string, method: string, route: string, headers: Record<string, string> = {}, body?: unknown): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(`${base}${route}`, { method, headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Pairs like a phone: the current pairing URL, exchanged for the cookie. */
async function pair(d: RunningDaemon): Promise<{ cookie: string; setCookie: string; url: string }> {
  const { url } = (await d.api('GET', '/api/v1/pairing')).body;
  const u = new URL(url);
  const r = await request(d.base, 'GET', `${u.pathname}${u.search}`, { 'sec-fetch-site': 'none' });
  if (r.status !== 303) throw new Error(`pairing answered ${r.status}`);
  const setCookie = String(r.headers['set-cookie']?.[0] ?? '');
  return { cookie: setCookie.split(';')[0]!, setCookie, url };
}

t.test('pairing, cookie and CSRF through the real daemon', async (t) => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'lp-pairing-'));
  t.teardown(() => rmSync(stateDir, { recursive: true, force: true }));
  let d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  const port = new URL(d.base).port;
  const allLogs: string[] = [];

  const p = (await d.api('GET', '/api/v1/pairing')).body;
  t.match(p.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/pair\\?code=[A-Za-z0-9_-]{22}$`), 'url');
  t.ok(Date.parse(p.expiresAt) > Date.now() + 9 * 60_000, 'expires in about 10 minutes');
  t.equal((await request(d.base, 'GET', '/api/v1/pairing')).status, 401, 'the pairing URL itself needs the token');

  const phone = await pair(d);
  for (const flag of ['HttpOnly', 'SameSite=Strict', 'Path=/']) t.ok(phone.setCookie.includes(flag), `cookie has ${flag}`);
  t.match(phone.cookie, /^lp_session=[A-Za-z0-9_-]{43}$/);
  const used = new URL(phone.url);
  const replay = await request(d.base, 'GET', `${used.pathname}${used.search}`);
  t.equal(replay.status, 403, 'the code works once');
  t.notOk(replay.headers['set-cookie'], 'no cookie from a used code');
  t.equal((await request(d.base, 'GET', '/pair?code=AAAAAAAAAAAAAAAAAAAAAA')).status, 403, 'a guessed code is refused');
  t.equal((await request(d.base, 'GET', '/pair')).status, 403, 'no code refused');
  t.not((await d.api('GET', '/api/v1/pairing')).body.url, phone.url, 'the code changed after use');

  const c = { cookie: phone.cookie };
  t.equal((await request(d.base, 'GET', '/api/v1/player', c)).status, 200, 'cookie opens the API');
  t.equal((await request(d.base, 'GET', '/api/v1/player', { cookie: 'lp_session=' + 'A'.repeat(43) })).status, 401, 'a made-up session: 401');

  // CSRF: the guards run for cookie requests too.
  const same = { ...c, origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin', host: `127.0.0.1:${port}` };
  const csrfCases: [string, Record<string, string>][] = [
    ['Origin of another site', { ...c, origin: 'http://evil.example' }],
    ['Sec-Fetch-Site cross-site', { ...c, 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site (another port or subdomain)', { ...c, 'sec-fetch-site': 'same-site' }],
    ['Origin null (sandboxed frame)', { ...c, origin: 'null' }],
    ['same Origin but cross-site fetch metadata', { ...same, 'sec-fetch-site': 'cross-site' }],
  ];
  for (const [name, headers] of csrfCases) {
    const r = await request(d.base, 'POST', '/api/v1/player/mute', headers);
    t.equal(r.status, 403, `refused: ${name}`);
  }
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.muted, false, 'none of them muted');
  const ok = await request(d.base, 'POST', '/api/v1/player/mute', same);
  t.equal(ok.status, 200, 'the page itself (same origin) may');
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.muted, true);
  t.equal((await request(d.base, 'PATCH', '/api/v1/player', { ...c, origin: 'http://evil.example' }, { muted: false })).status, 403, 'cross-site PATCH refused');
  t.equal((await request(d.base, 'DELETE', '/api/v1/sessions', { ...c, 'sec-fetch-site': 'cross-site' })).status, 403, 'cross-site "forget all" refused');

  // The page: served without a token, with a strict CSP, and the token is nowhere in it.
  const page = await request(d.base, 'GET', '/');
  t.equal(page.status, 200);
  t.match(page.headers['content-security-policy'], /script-src 'self'/);
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  for (const route of ['/', '/remote/app.js', '/remote/style.css']) {
    const r = await request(d.base, 'GET', route);
    t.equal(r.status, 200, `${route} served`);
    t.notOk(r.text.includes(d.token()), `token not in ${route}`);
    t.notOk(r.text.includes(phone.cookie.split('=')[1]!), `session id not in ${route}`);
  }

  // Channels API: closed schemas, checked addresses.
  const bad: [unknown, string][] = [
    [{ name: 'x', src: 'file:///etc/passwd' }, 'file: scheme'],
    [{ name: 'x', src: 'rtmp://h/a', extra: 1 }, 'additional property'],
    [{ name: '', src: 'rtmp://h/a' }, 'empty name'],
    [{ src: 'rtmp://h/a' }, 'no name'],
    [{ name: 'x'.repeat(61), src: 'rtmp://h/a' }, 'name too long'],
    [{ name: 'x', src: 5 }, 'src not a string'],
  ];
  for (const [body, why] of bad) t.equal((await request(d.base, 'POST', '/api/v1/channels', c, body)).status, 400, `channel refused: ${why}`);
  const made = await request(d.base, 'POST', '/api/v1/channels', c, { name: 'Maths', src: 'rtmp://10.1.1.1/live/m' });
  t.equal(made.status, 200, 'channel added with the cookie');
  const ch = JSON.parse(made.text);
  t.equal((await request(d.base, 'PATCH', `/api/v1/channels/${ch.id}`, c, {})).status, 400, 'empty patch refused');
  t.equal((await request(d.base, 'PATCH', `/api/v1/channels/../../x`, c, { name: 'y' })).status, 404, 'odd id not found');
  t.equal((await request(d.base, 'POST', '/api/v1/channels', {}, { name: 'x', src: 'rtmp://h/a' })).status, 401, 'channels need auth');

  // Sessions survive a restart; the file is 0600 and holds no session id.
  const file = path.join(stateDir, 'sessions.json');
  t.equal(statSync(file).mode & 0o777, 0o600, 'sessions.json is 0600');
  t.notOk(readFileSync(file, 'utf8').includes(phone.cookie.split('=')[1]!), 'only hashes stored');
  allLogs.push(...d.logs());
  await d.stop();
  d = await startDaemon({ stateDir });
  t.equal((await request(d.base, 'GET', '/api/v1/player', c)).status, 200, 'the phone is still paired after a restart');
  t.equal(JSON.parse((await request(d.base, 'GET', '/api/v1/channels', c)).text).channels.length, 1, 'channels kept');

  // Forget all phones (by a phone), and it stays forgotten across a restart.
  const second = await pair(d);
  t.equal((await request(d.base, 'DELETE', '/api/v1/sessions', { ...c, 'sec-fetch-site': 'same-origin' })).status, 200, 'forget all phones');
  t.equal((await request(d.base, 'GET', '/api/v1/player', c)).status, 401, 'first phone forgotten');
  t.equal((await request(d.base, 'GET', '/api/v1/player', { cookie: second.cookie })).status, 401, 'second phone forgotten');
  t.equal((await d.api('GET', '/api/v1/player')).status, 200, 'the token still works');
  allLogs.push(...d.logs());
  await d.stop();
  d = await startDaemon({ stateDir });
  t.equal((await request(d.base, 'GET', '/api/v1/player', c)).status, 401, 'still forgotten after a restart');

  // Secrets stay out of the log (pino JSON on stdout).
  allLogs.push(...d.logs());
  const log = allLogs.join('\n');
  t.ok(log.includes('phone paired'), 'pairing is logged (without secrets)');
  t.notOk(log.includes(d.token()), 'token not logged');
  for (const x of [phone, second]) {
    t.notOk(log.includes(x.cookie.split('=')[1]!), 'session id not logged');
    t.notOk(log.includes(new URL(x.url).searchParams.get('code')!), 'pairing code not logged');
  }
});

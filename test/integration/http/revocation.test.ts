// Revocation and lock-out through the real daemon over real HTTP: "forget
// all phones" ends the phones' open event streams at once while the token's
// stream goes on; one phone cannot take every event stream and the token
// still gets one; ten bad tokens from an address lock out neither the valid
// token nor a paired phone's cookie from that address; and the floods
// (bad tokens, refused streams, wrong pairing codes) write one log line per
// interval, with a count.
import http from 'node:http';
import t from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { SseClient } from '../../helpers/http-sse-client';

t.setTimeout(180_000);

function request(base: string, method: string, route: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${route}`, { method, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function pair(d: RunningDaemon): Promise<string> {
  const u = new URL((await d.api('GET', '/api/v1/pairing')).body.url);
  const r = await request(d.base, 'GET', `${u.pathname}${u.search}`, { 'sec-fetch-site': 'none' });
  if (r.status !== 303) throw new Error(`pairing answered ${r.status}`);
  return String(r.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
}

const lines = (d: RunningDaemon, msg: string) => d.logs().filter((l) => JSON.parse(l).msg?.startsWith(msg)).map((l) => JSON.parse(l));

t.test('revocation, per-phone stream bound, no lock-out, floods logged once', async (t) => {
  const d = await startDaemon();
  t.teardown(() => d.stop());
  const bearer = () => ({ authorization: `Bearer ${d.token()}` });

  await t.test('ten bad tokens from an address lock out neither the valid token nor a paired cookie', async (t) => {
    const phone = await pair(d);
    const bad = { authorization: 'Bearer not-the-token-0123456789abcdef' };
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await request(d.base, 'GET', '/api/v1/player', bad)).status);
    t.same(statuses.slice(0, 10), Array(10).fill(401), 'ten bad tokens: 401');
    t.same(statuses.slice(10), [429, 429], 'then the address is limited for bad tokens');
    t.equal((await request(d.base, 'GET', '/api/v1/player', bearer())).status, 200, 'the valid token from the same address still works');
    t.equal((await request(d.base, 'GET', '/api/v1/player', { cookie: phone })).status, 200, "the paired phone's cookie too");
    t.equal((await request(d.base, 'GET', '/api/v1/player', bad)).status, 429, 'and bad tokens stay limited');
    // pino writes asynchronously: on a busy machine the line may come a moment after the answers.
    for (let i = 0; i < 40 && lines(d, 'authentication failed').length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const authLines = lines(d, 'authentication failed');
    t.ok(authLines.length >= 1 && authLines.length <= 2, `${authLines.length} log line(s) for the bad tokens so far (one per minute at most)`);
    t.equal(authLines[0]?.level, 40, 'at warn');
  });

  await t.test('forget all phones closes the phones\' streams at once; the token\'s stays', async (t) => {
    const phoneA = await pair(d);
    const phoneB = await pair(d);
    const a = await SseClient.connect(d.base, { cookie: phoneA });
    const b = await SseClient.connect(d.base, { cookie: phoneB });
    const teacher = await SseClient.connect(d.base, bearer());
    t.same([a.status, b.status, teacher.status], [200, 200, 200], 'three streams open');
    await a.until(() => a.events.length >= 2);
    const t0 = Date.now();
    t.equal((await d.api('DELETE', '/api/v1/sessions')).status, 200);
    await a.until(() => a.closed, 2000);
    await b.until(() => b.closed, 2000);
    const ms = Date.now() - t0;
    t.ok(ms < 1000, `both phone streams closed ${ms} ms after the DELETE`);
    t.notOk(teacher.closed, "the teacher's token stream is still open");
    const before = teacher.events.length;
    await d.api('PATCH', '/api/v1/player', { muted: true });
    await teacher.until(() => teacher.events.length > before);
    t.pass('and still receives events');
    t.ok([401, 429].includes((await request(d.base, 'GET', '/api/v1/events', { cookie: phoneA })).status), 'a revoked cookie cannot open a new stream (401, or 429 after the bad tokens above)');
    teacher.close();
  });

  await t.test('one phone cannot take every event stream; the token still gets one', async (t) => {
    const phone = await pair(d);
    const open: SseClient[] = [];
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const c = await SseClient.connect(d.base, { cookie: phone });
      if (c.status === 200) open.push(c);
      else refused += 1;
    }
    t.equal(open.length, 4, `one phone holds ${open.length} streams`);
    t.equal(refused, 36, `${refused} more refused (503)`);
    const teacher = await SseClient.connect(d.base, bearer());
    t.equal(teacher.status, 200, 'the token gets a stream');
    const other = await SseClient.connect(d.base, { cookie: await pair(d) });
    t.equal(other.status, 200, 'another phone gets one too');
    const refusedLines = lines(d, 'event stream refused');
    t.equal(refusedLines.length, 1, `36 refusals, ${refusedLines.length} log line`);
    t.equal(refusedLines[0].count, 1, 'the first is logged at once; the rest are counted for the interval');
    for (const c of [...open, teacher, other]) c.close();
  });

  await t.test('wrong pairing codes: one line per interval', async (t) => {
    const statuses = new Set<number>();
    for (let i = 0; i < 30; i++) statuses.add((await request(d.base, 'GET', `/pair?code=guess${i}AAAAAAAAAAAAAAA`)).status);
    t.same([...statuses], [403], 'all 30 refused');
    const pairLines = lines(d, 'pairing refused');
    t.equal(pairLines.length, 1, `30 wrong codes, ${pairLines.length} log line`);
  });

  await t.test('on shutdown the counts still pending are written, each with its count', async (t) => {
    const r = await d.kill('SIGTERM');
    t.equal(r.code, 0);
    const repeated = d.logs().map((l) => JSON.parse(l)).filter((l) => / \(repeated\)$/.test(l.msg ?? ''));
    const by = Object.fromEntries(repeated.map((l) => [l.msg, l.count]));
    t.equal(by['event stream refused (repeated)'], 35, 'refused streams: 35 more');
    t.equal(by['pairing refused: code wrong, used or expired (repeated)'], 29, 'wrong codes: 29 more');
    t.ok(by['authentication failed (repeated)'] >= 1, `bad tokens: ${by['authentication failed (repeated)']} more`);
  });
});

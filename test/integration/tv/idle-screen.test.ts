// The TV idle screen through the real daemon on a fake sink: a frame
// captured from the idle pipeline's snap branch carries a QR code that a
// library decodes; the URL it carries pairs a plain HTTP client; the code on
// screen changes after use; the screen goes away while a stream plays (its
// process is gone) and comes back, with what to do, after -2301.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import t from 'tap';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';
import { publishedStream } from '../../helpers/media-servers';
import { closedPort } from '../../helpers/tcp-servers';

const SHOTS = path.resolve(__dirname, '../../../..', 'artifacts', 'screenshots');

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

async function screen(d: RunningDaemon): Promise<{ status: number; png?: Buffer }> {
  const r = await get(`${d.base}/api/v1/tv/screen.png`, { authorization: `Bearer ${d.token()}` });
  return r.status === 200 ? { status: 200, png: r.body } : { status: r.status };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30000): Promise<T> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined && v !== false) return v as T;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function decodeQr(png: Buffer): string | null {
  const img = PNG.sync.read(png);
  const code = jsQR(new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.length), img.width, img.height);
  return code?.data ?? null;
}

function idleWorkers(pid: number): number {
  const out = execFileSync('ps', ['-o', 'args=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n');
  return out.filter((l) => l.includes('idle-worker')).length;
}

t.test('idle screen QR pairs a phone; the code changes after use', async (t) => {
  mkdirSync(SHOTS, { recursive: true });
  const d = await startDaemon({ args: ['--name', 'Room 3B'] });
  t.teardown(() => d.stop());

  const first = await until('idle screen captured', async () => (await screen(d)).png);
  const png = PNG.sync.read(first);
  t.same([png.width, png.height], [1920, 1080], 'a frame at the display size (1920x1080 when there is no display to ask) from the snap branch');
  writeFileSync(path.join(SHOTS, 'tv-idle.png'), first);
  const url = decodeQr(first);
  t.ok(url, 'QR code decoded from the pixels');
  const pairing = (await d.api('GET', '/api/v1/pairing')).body;
  t.equal(url, pairing.url, 'the QR carries the current pairing URL');
  t.match(url, /^http:\/\/127\.0\.0\.1:\d+\/pair\?code=[A-Za-z0-9_-]{22}$/);

  const r = await get(url!);
  t.equal(r.status, 303, 'the pairing URL answers with a redirect');
  t.equal(r.headers.location, '/', 'to the remote page');
  const setCookie = String(r.headers['set-cookie']?.[0] ?? '');
  t.match(setCookie, /HttpOnly/, 'HttpOnly');
  t.match(setCookie, /SameSite=Strict/, 'SameSite=Strict');
  const cookie = setCookie.split(';')[0]!;
  const view = await get(`${d.base}/api/v1/player`, { cookie });
  t.equal(view.status, 200, 'the session cookie opens the API');
  t.equal(JSON.parse(view.body.toString()).state, 'idle');
  t.equal((await get(`${d.base}/api/v1/player`)).status, 401, 'without the cookie: 401');

  const next = await until('a new code on screen', async () => {
    const s = await screen(d);
    const u = s.png && decodeQr(s.png);
    return u && u !== url ? u : undefined;
  });
  t.not(next, url, 'the code on screen changed after use');
  t.equal((await get(url!)).status, 403, 'the used code is refused the second time');
  t.equal(next, (await d.api('GET', '/api/v1/pairing')).body.url, 'the new code is the current pairing URL');
});

t.test('the idle screen leaves while a stream plays and says what to do after -2301', async (t) => {
  const { server: nms } = await publishedStream(t, { server: 'nms', name: 'tv' });
  const d = await startDaemon({ args: ['--reconnect-attempts', '1', '--reconnect-interval', '1'] });
  t.teardown(() => d.stop());
  const pid = d.proc.pid!;

  const idle = await until('idle screen', async () => (await screen(d)).png);
  // The card, and a warm spare that holds no sink (it takes the next card).
  t.ok(idleWorkers(pid) >= 1 && idleWorkers(pid) <= 2, `the card's process and at most a spare while idle (${idleWorkers(pid)})`);

  await d.api('PATCH', '/api/v1/player', { src: nms.rtmpUrl('tv') });
  await d.api('POST', '/api/v1/player/play');
  await until('playing', async () => (await d.api('GET', '/api/v1/player')).body.state === 'playing', 20000);
  t.equal((await screen(d)).status, 409, 'no idle screen while playing');
  t.ok(idleWorkers(pid) <= 1, `the card's process is gone while the player has the sink; at most the spare is left (${idleWorkers(pid)})`);

  await d.api('POST', '/api/v1/player/stop');
  const back = await until('idle screen back after stop', async () => (await screen(d)).png).catch((e) => {
    t.comment(d.logs().filter((l) => /"module":"(tv|remote)"|idle|warn|error/.test(l)).slice(-20).join('\n'));
    t.comment(JSON.stringify(execFileSync('ps', ['-o', 'pid,stat,args', '--ppid', String(pid)], { encoding: 'utf8' })));
    throw e;
  });
  t.ok(decodeQr(back), 'QR readable again after stop');

  // A closed port: 3002, one reconnection, then -2301 and the error screen.
  const port = await closedPort();
  await d.api('PATCH', '/api/v1/player', { src: `rtmp://127.0.0.1:${port}/live/none` });
  await d.api('POST', '/api/v1/player/play');
  await until('-2301', async () => (await d.api('GET', '/api/v1/player')).body.lastCode?.code === -2301, 20000);
  const err = await until('error screen', async () => {
    const s = await screen(d);
    return s.png && decodeQr(s.png) ? s.png : undefined;
  });
  writeFileSync(path.join(SHOTS, 'tv-idle-2301.png'), err);
  // The words differ from the idle words: compare the status area (bottom left) of the two frames.
  const a = PNG.sync.read(idle);
  const b = PNG.sync.read(err);
  let differ = 0;
  for (let y = Math.round(a.height * 0.6); y < a.height; y++) for (let x = 0; x < Math.round(a.width * 0.59); x++) if (a.data[(y * a.width + x) * 4] !== b.data[(y * a.width + x) * 4]) differ++;
  t.ok(differ > 2000, `the status words changed after -2301 (${differ} pixels differ)`);
});

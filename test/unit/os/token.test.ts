// The bearer token's life: created once with 256 random bits in a private
// file, kept across starts, overridable, and rotated while the daemon runs
// so that the old token stops working at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ensureToken, resolveToken, rotateToken, tokenPath } from '../../../src/os/token';
import { httpFixture } from '../../helpers/http-fixture';

function tmp(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lp-token-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('first start creates a 256-bit token in a 0600 file inside a 0700 dir', async (t) => {
  const stateDir = path.join(tmp(t), 'state');
  const token = ensureToken(stateDir);
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.ok(Buffer.from(token, 'base64url').length * 8 >= 128, 'at least 128 bits');
  t.equal(fs.statSync(tokenPath(stateDir)).mode & 0o777, 0o600);
  t.equal(fs.statSync(stateDir).mode & 0o777, 0o700);
  t.equal(ensureToken(stateDir), token, 'kept across starts');
  t.same(fs.readdirSync(stateDir), ['token'], 'no temporary file left behind');
  t.not(ensureToken(path.join(tmp(t), 'other')), token, 'another device gets another token');
});

t.test('a readable token file is tightened; a garbled one is replaced', async (t) => {
  const stateDir = tmp(t);
  const token = ensureToken(stateDir);
  fs.chmodSync(tokenPath(stateDir), 0o644);
  t.equal(ensureToken(stateDir), token);
  t.equal(fs.statSync(tokenPath(stateDir)).mode & 0o777, 0o600);
  fs.writeFileSync(tokenPath(stateDir), 'short\n');
  const fresh = ensureToken(stateDir);
  t.not(fresh, 'short');
  t.match(fresh, /^[A-Za-z0-9_-]{43}$/);
});

t.test('an override wins and leaves the file alone', async (t) => {
  const stateDir = tmp(t);
  const src = resolveToken(stateDir, 'given-by-flag-0123456789');
  t.equal(src.origin, 'override');
  t.equal(src.current(), 'given-by-flag-0123456789');
  t.notOk(fs.existsSync(tokenPath(stateDir)));
});

t.test('rotation changes the token; the running app refuses the old one at once', async (t) => {
  const f = await httpFixture(t);
  const old = f.token();
  const get = (token: string) => f.app.inject({ method: 'GET', url: '/api/v1/player', headers: { authorization: `Bearer ${token}` } });
  t.equal((await get(old)).statusCode, 200);
  const fresh = rotateToken(f.stateDir);
  t.not(fresh, old);
  t.equal(fs.statSync(tokenPath(f.stateDir)).mode & 0o777, 0o600);
  t.equal((await get(old)).statusCode, 401, 'old token refused');
  t.equal((await get(fresh)).statusCode, 200, 'new token accepted without a restart');
  fs.rmSync(tokenPath(f.stateDir));
  t.equal((await get(fresh)).statusCode, 200, 'a deleted file keeps the last token rather than locking out');
});

t.test('a phone session cookie is accepted through the sessions seam; a wrong bearer is not rescued by it', async (t) => {
  const f = await httpFixture(t, { sessions: { verify: (v) => v === 'good-session' } });
  const get = (headers: Record<string, string>) => f.app.inject({ method: 'GET', url: '/api/v1/player', headers });
  t.equal((await get({ cookie: 'a=b; lp_session=good-session' })).statusCode, 200);
  t.equal((await get({ cookie: 'lp_session=bad-session' })).statusCode, 401);
  t.equal((await get({ cookie: 'other=good-session' })).statusCode, 401);
  t.equal((await get({ cookie: 'lp_session=good-session', authorization: 'Bearer wrong' })).statusCode, 401);
  const cross = await get({ cookie: 'lp_session=good-session', origin: 'http://evil.example' });
  t.equal(cross.statusCode, 403, 'a session cannot be ridden from another origin (CSRF)');
});

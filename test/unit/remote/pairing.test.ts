// Pairing codes, phone sessions and channels on a real state dir: codes are
// long, single-use and short-lived; sessions survive a restart, are stored
// only hashed in a 0600 file, and "forget all phones" survives a restart too.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ChannelStore, CHANNELS_FILE } from '../../../src/remote/channels';
import { controlBase, deviceIPv4, PairingService } from '../../../src/remote/pairing';
import { SessionStore, SESSIONS_FILE } from '../../../src/remote/session-store';

function dir(t: { teardown(fn: () => void): void }): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'lp-pair-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const codeOf = (url: string) => new URL(url).searchParams.get('code')!;

t.test('a pairing code is 128 random bits in base64url, and changes after use', async (t) => {
  const sessions = new SessionStore({ stateDir: dir(t) });
  const p = new PairingService({ sessions, baseUrl: 'http://10.0.0.5:8080' });
  t.teardown(() => p.close());
  const { url, expiresAt } = p.current();
  t.match(url, /^http:\/\/10\.0\.0\.5:8080\/pair\?code=[A-Za-z0-9_-]{22}$/);
  t.equal(Buffer.from(codeOf(url), 'base64url').length, 16, '16 bytes = 128 bits (>= 64 required)');
  t.ok(Math.abs(Date.parse(expiresAt) - Date.now() - 600_000) < 2000, 'valid about 10 minutes');
  t.equal(p.current().url, url, 'stable until used');

  const changes: string[] = [];
  p.on('change', (c) => changes.push(c.url));
  const id = p.exchange(codeOf(url));
  t.type(id, 'string', 'the code gives a session');
  t.ok(sessions.verify(id!), 'the session is valid');
  t.not(p.current().url, url, 'a new code after use');
  t.equal(changes.length, 1, 'the TV is told to redraw');
  t.equal(p.exchange(codeOf(url)), null, 'the same code twice: refused');
  t.equal(sessions.size, 1, 'no second session from a replay');
});

t.test('wrong, malformed and expired codes are refused', async (t) => {
  let now = 1_000_000;
  const sessions = new SessionStore({ stateDir: dir(t), now: () => now });
  const p = new PairingService({ sessions, ttlMs: 60_000, now: () => now });
  t.teardown(() => p.close());
  const code = codeOf(p.current().url);
  for (const bad of ['', 'x', code.slice(0, -1), `${code}A`, code.toLowerCase() === code ? code.toUpperCase() : code.toLowerCase(), 'A'.repeat(5000), 42, null, undefined, ['a'], { code }]) {
    t.equal(p.exchange(bad), null, `refused: ${JSON.stringify(bad)?.slice(0, 30)}`);
  }
  now += 60_001;
  t.equal(p.exchange(code), null, 'expired code refused');
  const fresh = codeOf(p.current().url);
  t.not(fresh, code, 'an expired code is replaced when asked for');
  t.type(p.exchange(fresh), 'string', 'the fresh code works');
});

t.test('sessions persist hashed in a 0600 file; revocation persists too', async (t) => {
  const stateDir = dir(t);
  const a = new SessionStore({ stateDir });
  const id = a.issue();
  t.match(id, /^[A-Za-z0-9_-]{43}$/, '256-bit id');
  const file = path.join(stateDir, SESSIONS_FILE);
  t.equal(statSync(file).mode & 0o777, 0o600, 'sessions file is 0600');
  t.notOk(readFileSync(file, 'utf8').includes(id), 'the id itself is not stored');

  const b = new SessionStore({ stateDir });
  t.ok(b.verify(id), 'valid after a restart');
  t.notOk(b.verify(id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')), 'a near miss is refused');
  t.notOk(b.verify(''), 'empty refused');
  t.notOk(b.verify(`${id};x`), 'malformed refused');
  b.revokeAll();
  t.notOk(b.verify(id), 'revoked');
  t.notOk(new SessionStore({ stateDir }).verify(id), 'still revoked after a restart');
});

t.test('sessions expire and are capped', async (t) => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const s = new SessionStore({ stateDir: dir(t), now: () => now, maxAgeMs: 1000, maxSessions: 3 });
  const first = s.issue();
  now += 1001;
  t.notOk(s.verify(first), 'expired');
  const ids = [s.issue(), s.issue(), s.issue(), s.issue()];
  t.notOk(s.verify(ids[0]!), 'oldest forgotten beyond the cap');
  t.ok(ids.slice(1).every((i) => s.verify(i)), 'the newest three kept');
});

t.test('forgetAll revokes every phone and changes the code', async (t) => {
  const sessions = new SessionStore({ stateDir: dir(t) });
  const p = new PairingService({ sessions });
  t.teardown(() => p.close());
  const one = p.exchange(codeOf(p.current().url))!;
  const two = p.exchange(codeOf(p.current().url))!;
  const before = p.current().url;
  p.forgetAll();
  t.notOk(sessions.verify(one) || sessions.verify(two), 'both phones forgotten');
  t.not(p.current().url, before, 'the screen shows a new code');
});

t.test('the control address follows the listening address', async (t) => {
  t.equal(controlBase('127.0.0.1', 8080), 'http://127.0.0.1:8080');
  t.equal(controlBase('::1', 80), 'http://[::1]:80');
  t.equal(controlBase('0.0.0.0', 8080), `http://${deviceIPv4()}:8080`, 'wildcard: the device address');
  t.equal(deviceIPv4({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true } as os.NetworkInterfaceInfo], eth0: [{ address: '192.168.4.7', family: 'IPv4', internal: false } as os.NetworkInterfaceInfo] }), '192.168.4.7');
  t.equal(deviceIPv4({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true } as os.NetworkInterfaceInfo] }), '127.0.0.1', 'fallback');
  const p = new PairingService({ sessions: new SessionStore({ stateDir: dir(t) }) });
  t.teardown(() => p.close());
  p.setListenAddress('127.0.0.1', 4321);
  t.match(p.current().url, /^http:\/\/127\.0\.0\.1:4321\/pair\?code=/);
  t.equal(p.controlUrl, 'http://127.0.0.1:4321/');
});

t.test('channels: add, rename, delete, persisted 0600, addresses checked', async (t) => {
  const stateDir = dir(t);
  const c = new ChannelStore(stateDir);
  const a = c.add(' Maths ', 'rtmp://10.0.0.2/live/maths');
  t.equal(a.name, 'Maths', 'name trimmed');
  t.match(a.id, /^[0-9a-f]{16}$/);
  t.equal(statSync(path.join(stateDir, CHANNELS_FILE)).mode & 0o777, 0o600);
  t.same(new ChannelStore(stateDir).all(), [a], 'persisted');
  t.equal(c.update(a.id, { name: 'Maths 3B' }).name, 'Maths 3B');
  for (const src of ['file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'rtmp://h/ x']) {
    t.throws(() => c.add('x', src), { name: 'PlayerError', reason: 'InvalidArgument' }, `refused src ${src}`);
    t.throws(() => c.update(a.id, { src }), { name: 'PlayerError', reason: 'InvalidArgument' }, `refused update ${src}`);
  }
  t.throws(() => c.add('\u0007', 'rtmp://h/a'), { name: 'PlayerError', reason: 'InvalidArgument' }, 'invisible name refused');
  t.throws(() => c.update('0000000000000000', { name: 'x' }), { name: 'PlayerError', reason: 'NotFound' });
  c.remove(a.id);
  t.same(new ChannelStore(stateDir).all(), [], 'deleted on disk');
});

// A state dir the daemon cannot use never stops the TV: a full tmpfs with no
// token yet (ENOSPC), a read-only mount (EROFS), a token file the daemon's
// user cannot read (EACCES), an immutable garbled token file (EPERM on the
// rename) and a directory at the token path (EISDIR). Each time the daemon
// runs as a process, serves with the token it logged, says "degraded" with
// the reason on /healthz, keeps attributes and channels in memory, leaves no
// empty or .tmp file, prints no stack trace, and exits 0 on SIGTERM.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { startDaemon, type RunningDaemon } from '../../helpers/daemon';

t.setTimeout(240_000);

function tmp(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-degraded-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A tmpfs of `size` mounted for the test (root only) and unmounted after it. */
function tmpfs(t: Test, size: string): string {
  const dir = tmp(t);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  t.teardown(() => execFileSync('umount', ['-l', dir]));
  return dir;
}

/** Writes zeros until the file system answers ENOSPC; returns the bytes written. */
function fill(dir: string): number {
  const fd = openSync(path.join(dir, 'fill'), 'w');
  const block = Buffer.alloc(4096);
  let n = 0;
  try {
    for (;;) n += writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return n;
}

function get(base: string, route: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    http.get(`${base}${route}`, { headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
    }).on('error', reject);
  });
}

/** Files in `dir` (recursively) that are empty or temporary: what a failed write must not leave behind. */
function litter(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const full = path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    if (!e.isFile() || e.name === 'fill') continue;
    if (statSync(full).size === 0 || /\.tmp$|^\.token\./.test(e.name)) out.push(path.relative(dir, full));
  }
  return out;
}

/** The checks every degraded start must pass; `reason` is what /healthz must name. */
async function degradedChecks(t: Test, d: RunningDaemon, reason: RegExp, stateDir: string, afterSave?: RegExp): Promise<void> {
  const health = await get(d.base, '/healthz');
  t.equal(health.status, 200, 'healthz answers');
  t.equal(health.body.status, 'degraded', 'healthz says degraded');
  t.match(health.body.reasons.join(' | '), reason, `reason: ${health.body.reasons.join(' | ')}`);
  const warn = d.logs().find((l) => l.includes('"apiToken"'));
  t.ok(warn, 'the token kept in memory is in the log');
  t.equal(JSON.parse(warn!).level, 40, 'at warn');
  const token = JSON.parse(warn!).apiToken as string;
  t.match(token, /^[A-Za-z0-9_-]{43}$/);
  t.equal((await get(d.base, '/api/v1/player', { authorization: `Bearer ${token}` })).status, 200, 'the logged token works');
  t.equal((await get(d.base, '/api/v1/player', { authorization: 'Bearer wrong-token-0123456789' })).status, 401, 'a wrong token does not');
  const patched = await d.api('PATCH', '/api/v1/player', { muted: true, objectFit: 'fillCrop' });
  t.equal(patched.status, 200, 'attributes can be changed');
  t.equal((await d.api('GET', '/api/v1/player')).body.attributes.muted, true, 'and are kept in memory');
  const ch = await d.api('POST', '/api/v1/channels', { name: 'Maths', src: 'rtmp://127.0.0.1/live/maths' });
  t.equal(ch.status, 200, 'a channel can be added');
  t.same((await d.api('GET', '/api/v1/channels')).body.channels.map((c: { name: string }) => c.name), ['Maths'], 'and is listed');
  // The state store saves in the background; give it time to fail.
  await new Promise((r) => setTimeout(r, 800));
  t.same(litter(stateDir), [], 'no empty or temporary file left in the state dir');
  if (afterSave) {
    const reasons = (await get(d.base, '/healthz')).body.reasons.join(' | ');
    t.match(reasons, afterSave, 'the failed saves are among the reasons');
  }
  const r = await d.kill('SIGTERM');
  t.equal(r.code, 0, 'SIGTERM ends it with exit 0');
  t.notMatch(d.stderr(), /EPIPE|at .*\.js:\d+|Error:/, 'no stack trace on stderr');
}

t.test('full disk (ENOSPC), no token file yet', async (t) => {
  const mnt = tmpfs(t, '64k');
  const stateDir = path.join(mnt, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  const bytes = fill(mnt);
  t.ok(bytes <= 64 * 1024, `tmpfs full after ${bytes} bytes`);
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  await degradedChecks(t, d, /token file .*token: ENOSPC/, stateDir, /state\.json not saved \(ENOSPC\)[\s\S]*channels\.json not saved \(ENOSPC\)|channels\.json not saved \(ENOSPC\)[\s\S]*state\.json not saved \(ENOSPC\)/);
  t.match((await (async () => d.logs().join('\n'))()), /saving failed; kept in memory|saving state failed/, 'the failed saves are logged');
});

t.test('read-only state dir (EROFS)', async (t) => {
  const mnt = tmpfs(t, '1m');
  const stateDir = path.join(mnt, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  execFileSync('mount', ['-o', 'remount,ro', mnt]);
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  await degradedChecks(t, d, /state dir .* not writable \(EROFS\)[\s\S]*token file .*: EROFS/, stateDir, /state\.json not saved \(EROFS\)/);
});

t.test('token file the daemon user cannot read (EACCES)', async (t) => {
  const root = tmp(t);
  chmodSync(root, 0o755);
  const stateDir = path.join(root, 'state');
  mkdirSync(stateDir, { mode: 0o700 });
  chownSync(stateDir, 65534, 65534);
  // A token left by root (say, `liveplayerd --rotate-token` run as root): 0600, owned by root.
  writeFileSync(path.join(stateDir, 'token'), 'a-token-written-by-root-0123456789\n', { mode: 0o600 });
  const d = await startDaemon({ stateDir, uid: 65534, gid: 65534 });
  t.teardown(() => d.stop());
  await degradedChecks(t, d, /token file .*token: EACCES/, stateDir);
});

t.test('immutable garbled token file (EPERM on rename)', async (t) => {
  const stateDir = tmp(t);
  const file = path.join(stateDir, 'token');
  writeFileSync(file, 'garbled\n', { mode: 0o600 });
  execFileSync('chattr', ['+i', file]);
  t.teardown(() => execFileSync('chattr', ['-i', file]));
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  await degradedChecks(t, d, /token file .*token: EPERM/, stateDir);
});

t.test('immutable valid token file with loose permissions: used as it is, status ok', async (t) => {
  const stateDir = tmp(t);
  const file = path.join(stateDir, 'token');
  const token = 'a-valid-token-from-the-admin-0123456789';
  writeFileSync(file, `${token}\n`, { mode: 0o644 });
  chmodSync(file, 0o644);
  execFileSync('chattr', ['+i', file]);
  t.teardown(() => execFileSync('chattr', ['-i', file]));
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  t.same((await get(d.base, '/healthz')).body, { status: 'ok' }, 'not degraded: the token is there');
  t.equal((await get(d.base, '/api/v1/player', { authorization: `Bearer ${token}` })).status, 200, 'the admin token works');
});

t.test('a directory at the token path (EISDIR)', async (t) => {
  const stateDir = tmp(t);
  mkdirSync(path.join(stateDir, 'token'));
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  await degradedChecks(t, d, /token file .*token: EISDIR/, stateDir);
});

t.test('a healthy state dir: healthz stays {status:"ok"}, nothing about the token in the log', async (t) => {
  const stateDir = tmp(t);
  const d = await startDaemon({ stateDir });
  t.teardown(() => d.stop());
  t.same((await get(d.base, '/healthz')).body, { status: 'ok' });
  t.notOk(d.logs().some((l) => l.includes('apiToken')), 'no token in the log');
});

// Proves startDbus's lifecycle: an unreachable, malformed or silent bus and a
// name owned by someone else give null and a warning (the daemon keeps
// serving HTTP); stop() releases both names and lets the process exit; a bus
// that dies under a running daemon is logged once and never throws into the
// player.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDbus } from '../../../src/dbus';
import { LivePlayer } from '../../../src/player/player';
import { memoryLogger, MPRIS_NAME, NAME, run, startService, until } from '../../helpers/dbus-harness';
import { FakeEngine } from '../../helpers/fake-engine';

function newPlayer() {
  const { log, lines } = memoryLogger();
  const player = new LivePlayer({ engine: new FakeEngine(), log, reconnect: { attempts: 1, intervalMs: 10 } });
  return { player, log, lines };
}

const warned = (lines: () => Record<string, unknown>[], msg: string) => lines().some((l) => l.level === 40 && String(l.msg).includes(msg));

t.test('an unreachable or malformed bus address gives null and a warning', async (t) => {
  for (const address of ['unix:path=/nonexistent/bus', 'tcp:host=127.0.0.1,port=1', 'garbage']) {
    const { player, log, lines } = newPlayer();
    const started = Date.now();
    const svc = await startDbus(player, { bus: 'session', identity: 'x', address }, log);
    t.equal(svc, null, address);
    t.ok(warned(lines, 'D-Bus unavailable; running without it'), `warned for ${address}`);
    t.ok(Date.now() - started < 2000, 'fails fast');
  }
});

t.test('a bus that accepts but never answers gives null after the timeout', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lp-silent-'));
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((c) => void sockets.push(c)).listen(join(dir, 'bus'));
  t.teardown(() => {
    for (const c of sockets) c.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { player, log, lines } = newPlayer();
  const svc = await startDbus(player, { bus: 'session', identity: 'x', address: `unix:path=${join(dir, 'bus')}`, timeoutMs: 300 }, log);
  t.equal(svc, null);
  t.ok(warned(lines, 'D-Bus unavailable'));
});

t.test('names owned by another process: null, and the owner keeps them', async (t) => {
  const s = await startService();
  t.teardown(() => s.stop());
  const { player, log, lines } = newPlayer();
  const second = await startDbus(player, { bus: 'session', identity: 'x', address: s.daemon.address }, log);
  t.equal(second, null);
  t.ok(warned(lines, 'D-Bus unavailable'));
  t.match(JSON.stringify(lines()), 'owned by another process');
  const r = await run('playerctl', ['-p', 'liveplayerd', 'status'], s.env);
  t.equal(r.stdout, 'Stopped', 'the first service still answers');
});

t.test('stop() releases both names, is idempotent', async (t) => {
  const s = await startService();
  t.teardown(() => s.stop());
  const owner = (n: string) =>
    run('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', n], s.env);
  t.equal((await owner(NAME)).stdout, '(true,)');
  await s.service.stop();
  await s.service.stop();
  t.equal((await owner(NAME)).stdout, '(false,)');
  t.equal((await owner(MPRIS_NAME)).stdout, '(false,)');
});

t.test('a bus that goes away is logged once; the player goes on', async (t) => {
  const s = await startService();
  t.teardown(() => s.stop());
  await s.daemon.stop();
  s.player.setAttributes({ src: 'rtmp://10.0.0.5/live/a' });
  s.player.play();
  s.engine.events.code(2001);
  s.player.mute();
  s.engine.events.netstatus({ fps: 25 });
  t.ok(await until(() => warned(s.logLines, 'D-Bus connection lost')));
  s.player.requestFullScreen(90);
  t.equal(s.logLines().filter((l) => String(l.msg).includes('D-Bus connection lost')).length, 1);
  t.equal(s.player.state, 'connecting');
  await s.service.stop();
});

t.test('a process that starts and stops D-Bus exits by itself', async (t) => {
  const s = await startService();
  t.teardown(() => s.stop());
  await s.service.stop();
  const child = `
    const { startDbus } = require(${JSON.stringify(require.resolve('../../../src/dbus'))});
    const { LivePlayer } = require(${JSON.stringify(require.resolve('../../../src/player/player'))});
    const log = require('pino')({ level: 'silent' });
    const engine = { restartKeys: [], open() { throw new Error('unused'); }, async close() {} };
    const player = new LivePlayer({ engine, log, reconnect: { attempts: 1, intervalMs: 10 } });
    startDbus(player, { bus: 'session', identity: 'child', address: process.env.LP_BUS }, log).then(async (svc) => {
      if (!svc) { console.log('null'); process.exitCode = 3; return; }
      console.log('started');
      await svc.stop();
      console.log('stopped');
    });`;
  let stoppedAt = 0;
  const p = spawn(process.execPath, ['-e', child], { env: { ...process.env, LP_BUS: s.daemon.address }, cwd: process.cwd() });
  let out = '';
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('stopped')) stoppedAt = Date.now();
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  clearTimeout(timer);
  t.equal(out, 'started\nstopped\n');
  t.equal(code, 0);
  t.ok(Date.now() - stoppedAt < 1500, 'exits promptly after stop(): nothing keeps the event loop alive');
});

// Proves the real daemon (dist/src/cli.js --dbus session) serves both names on
// the bus it is given: playerctl and gdbus set Src, read State and
// metadata, play and stop; SIGTERM releases the names and exits 0.
import t from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDbusDaemon, type DbusDaemon } from '../../helpers/dbus-daemon';
import { bget, errorName, gcall, gset, IFACE, MPRIS_NAME, NAME, run, until } from '../../helpers/dbus-harness';

const CLI = resolve(__dirname, '../../../src/cli.js');

let bus: DbusDaemon;
let daemon: ChildProcess;
let out = '';
let stateDir: string;
let env: NodeJS.ProcessEnv;

t.before(async () => {
  bus = await startDbusDaemon({ defaults: 'session' });
  stateDir = mkdtempSync(join(tmpdir(), 'lp-e2e-dbus-'));
  env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address };
  const args = [CLI, '--dbus', 'session', '--http', '127.0.0.1:0', '--video-sink', 'fake', '--audio-sink', 'fake', '--state-dir', stateDir, '--name', 'E2E Room'];
  daemon = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  daemon.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  if (!(await until(() => out.includes('serving on D-Bus') || daemon.exitCode !== null, 60_000))) throw new Error(`daemon did not start: ${out}`);
  if (daemon.exitCode !== null) throw new Error(`daemon exited ${daemon.exitCode}: ${out}`);
});

t.teardown(async () => {
  if (daemon && daemon.exitCode === null && daemon.signalCode === null) {
    daemon.kill('SIGKILL');
    await new Promise((r) => daemon.once('exit', r));
  }
  await bus?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

t.test('the daemon answers playerctl and gdbus on the bus it was given', async (t) => {
  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'status'], env)).stdout, 'Stopped');
  t.equal((await bget(env, 'Identity', 'org.mpris.MediaPlayer2', MPRIS_NAME, '/org/mpris/MediaPlayer2')).data, 'E2E Room');
  t.equal((await bget(env, 'State')).data, 'idle');
  t.equal(errorName(await gcall(env, `${IFACE}.Play`)), 'org.liveplayerd.Error.NoSource');
  // port 9 (discard) is closed here: playing it fails fast and harmlessly
  const src = 'rtmp://127.0.0.1:9/live/e2e';
  t.equal((await gset(env, 'Src', `<'${src}'>`)).code, 0);
  t.equal((await bget(env, 'Src')).data, src);
  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'metadata', 'xesam:url'], env)).stdout, src);
  t.equal(errorName(await gset(env, 'Mode', "<'vod'>")), 'org.liveplayerd.Error.InvalidArgument');
  t.equal((await bget(env, 'Mode')).data, 'live');
  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'play'], env)).code, 0);
  t.not((await bget(env, 'State')).data, 'idle', 'play reached the player');
  t.equal((await gcall(env, `${IFACE}.Stop`)).code, 0);
  t.equal((await bget(env, 'State')).data, 'stopped');
  t.equal((await run('playerctl', ['-p', 'liveplayerd', 'status'], env)).stdout, 'Stopped');
});

t.test('SIGTERM releases both names and exits 0', async (t) => {
  const exited = new Promise<number | null>((r) => daemon.once('exit', r));
  daemon.kill('SIGTERM');
  t.equal(await exited, 0, out.slice(-2000));
  const has = (n: string) =>
    run('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus', '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', n], env);
  t.equal((await has(NAME)).stdout, '(false,)');
  t.equal((await has(MPRIS_NAME)).stdout, '(false,)');
});

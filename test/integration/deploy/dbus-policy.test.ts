// Proves systemd/org.liveplayerd.conf on a private dbus-daemon that applies
// the system bus's deny-by-default rules: only user liveplayerd owns the
// names, anyone reads properties and receives signals, only root and group
// liveplayer call methods. Needs root and the users from scripts/setup.sh --test.
import t from 'tap';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDbusDaemon, type DbusDaemon } from '../../helpers/dbus-daemon';
import { plainSocketAddress } from '../../../src/dbus/bus-address';

const POLICY = resolve(__dirname, '../../../../systemd/org.liveplayerd.conf');
const NAME = 'org.liveplayerd';
const MPRIS = 'org.mpris.MediaPlayer2.liveplayerd';
const PATH = '/org/liveplayerd/Player';
const IFACE = 'org.liveplayerd.LivePlayer1';

// A stand-in for the daemon's D-Bus side: the policy is about names, paths
// and interfaces, not about what the methods do.
const SERVICE = `
const dbus = require(${JSON.stringify(require.resolve('dbus-next'))});
const { Interface, ACCESS_READWRITE } = dbus.interface;
class Player extends Interface {
  constructor() { super(${JSON.stringify(IFACE)}); this._src = 'rtmp://example/live/a'; }
  get Src() { return this._src; }
  set Src(v) { this._src = v; Interface.emitPropertiesChanged(this, { Src: v }, []); }
  Play() { process.stdout.write('Play called\\n'); }
}
Player.configureMembers({
  properties: { Src: { signature: 's', access: ACCESS_READWRITE } },
  methods: { Play: { inSignature: '', outSignature: '' } },
});
(async () => {
  const bus = dbus.sessionBus({ busAddress: process.env.LP_BUS });
  bus.export(${JSON.stringify(PATH)}, new Player());
  for (const n of [${JSON.stringify(NAME)}, ${JSON.stringify(MPRIS)}]) {
    const r = await bus.requestName(n, dbus.NameFlag.DO_NOT_QUEUE);
    if (r !== dbus.RequestNameReply.PRIMARY_OWNER) throw new Error('not owner of ' + n + ': ' + r);
  }
  process.stdout.write('ready\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(3); });
`;

interface Run {
  code: number;
  out: string;
}

function runAs(user: string, cmd: string, args: string[]): Promise<Run> {
  return new Promise((res) => {
    execFile('runuser', ['-u', user, '--', cmd, ...args], { cwd: '/', timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, out: `${stdout}${stderr}` });
    });
  });
}

const call = (bus: DbusDaemon, user: string, method: string, ...args: string[]) =>
  runAs(user, 'gdbus', ['call', '--address', bus.address, '--dest', NAME, '--object-path', PATH, '--method', method, ...args]);

const requestName = (bus: DbusDaemon, user: string, name: string) =>
  runAs(user, 'dbus-send', ['--address=' + bus.address, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus',
    'org.freedesktop.DBus.RequestName', `string:${name}`, 'uint32:4']);

async function startService(bus: DbusDaemon): Promise<{ child: ChildProcess; output: () => string }> {
  const script = join(bus.dir, 'service.js');
  writeFileSync(script, SERVICE, { mode: 0o644 });
  const child = spawn('runuser', ['-u', 'liveplayerd', '--', process.execPath, script], {
    cwd: '/', env: { ...process.env, LP_BUS: plainSocketAddress(bus.address) }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`service did not start: ${out}`)), 10_000);
    child.stdout!.on('data', () => {
      if (out.includes('ready\n')) { clearTimeout(timer); res(); }
    });
    child.once('exit', (c) => { clearTimeout(timer); rej(new Error(`service exited ${c}: ${out}`)); });
  });
  return { child, output: () => out };
}

const usersMissing = ['liveplayerd', 'lpstudent', 'lpteacher'].filter((u) => {
  try { require('node:child_process').execFileSync('id', [u], { stdio: 'ignore' }); return false; } catch { return true; }
});

t.test('system-bus policy', { skip: process.getuid?.() !== 0 ? 'needs root to switch users' : false }, async (t) => {
  t.same(usersMissing, [], 'the test users exist (run scripts/setup.sh --test)');
  if (usersMissing.length) return;
  const bus = await startDbusDaemon({ defaults: 'system', includes: [POLICY] });
  t.teardown(() => bus.stop());
  const svc = await startService(bus);
  t.teardown(async () => {
    if (svc.child.exitCode === null) {
      const gone = new Promise((r) => svc.child.once('exit', r));
      svc.child.kill('SIGTERM');
      await gone;
    }
  });
  t.pass('user liveplayerd owns org.liveplayerd and the MPRIS name');

  for (const user of ['lpstudent', 'lpteacher']) {
    for (const name of [NAME, MPRIS]) {
      const r = await requestName(bus, user, name);
      t.match(r.out, /AccessDenied/, `${user} may not own ${name}`);
    }
  }

  const get = await call(bus, 'lpstudent', 'org.freedesktop.DBus.Properties.Get', IFACE, 'Src');
  t.equal(get.code, 0, `an unprivileged user reads a property: ${get.out}`);
  t.match(get.out, /rtmp:\/\/example\/live\/a/);
  const all = await call(bus, 'lpstudent', 'org.freedesktop.DBus.Properties.GetAll', IFACE);
  t.equal(all.code, 0, `GetAll too: ${all.out}`);
  const intro = await call(bus, 'lpstudent', 'org.freedesktop.DBus.Introspectable.Introspect');
  t.match(intro.out, /org\.liveplayerd\.LivePlayer1/, 'and Introspect');
  const ping = await call(bus, 'lpstudent', 'org.freedesktop.DBus.Peer.Ping');
  t.equal(ping.code, 0, `and Peer.Ping: ${ping.out}`);

  const play = await call(bus, 'lpstudent', `${IFACE}.Play`);
  t.not(play.code, 0, 'an unprivileged Play fails');
  t.match(play.out, /AccessDenied/, 'with AccessDenied');
  const set = await call(bus, 'lpstudent', 'org.freedesktop.DBus.Properties.Set', IFACE, 'Src', "<'rtmp://evil/x'>");
  t.match(set.out, /AccessDenied/, 'an unprivileged Properties.Set is refused');
  t.notMatch(svc.output(), /Play called/, 'the service never saw the refused call');

  const teacher = await call(bus, 'lpteacher', `${IFACE}.Play`);
  t.equal(teacher.code, 0, `a member of group liveplayer plays: ${teacher.out}`);
  t.match(svc.output(), /Play called/, 'and the service received it');
  const root = await call(bus, 'root', `${IFACE}.Play`);
  t.equal(root.code, 0, `root plays: ${root.out}`);

  // Signals: a student's monitor sees the PropertiesChanged caused by a teacher's Set.
  const mon = spawn('runuser', ['-u', 'lpstudent', '--', 'gdbus', 'monitor', '--address', bus.address, '--dest', NAME], {
    cwd: '/', stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => { if (mon.exitCode === null) mon.kill('SIGTERM'); });
  let seen = '';
  mon.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
  await new Promise((r) => setTimeout(r, 500));
  const tset = await call(bus, 'lpteacher', 'org.freedesktop.DBus.Properties.Set', IFACE, 'Src', "<'rtmp://example/live/b'>");
  t.equal(tset.code, 0, `a teacher sets a property: ${tset.out}`);
  const deadline = Date.now() + 5000;
  while (!seen.includes('rtmp://example/live/b') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  t.match(seen, /PropertiesChanged.*rtmp:\/\/example\/live\/b/s, 'an unprivileged user receives the signal');
});

// systemd/liveplayerd.service: systemd's own checker finds nothing wrong, the
// directives the daemon relies on (notify, watchdog, restart, hardening) are
// all there, and systemd-analyze's exposure score stays low.
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const UNIT = resolve(__dirname, '../../../../systemd/liveplayerd.service');
const text = readFileSync(UNIT, 'utf8');

function analyze(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile('systemd-analyze', args, { cwd: '/', env: { ...process.env, SYSTEMD_COLORS: '0' } }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

/**
 * A copy whose ExecStart names an executable that exists here: verify checks
 * that the binary is there, and /usr/bin/liveplayerd only exists once the
 * package is installed. Everything else is the shipped file, byte for byte.
 */
function copy(t: Test, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'lp-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'liveplayerd.service');
  writeFileSync(file, text.replace(/^ExecStart=\/usr\/bin\/liveplayerd /m, 'ExecStart=/bin/true ') + extra);
  return file;
}

t.test('systemd-analyze verify is clean', async (t) => {
  const r = await analyze(['verify', copy(t)]);
  t.equal(r.code, 0);
  t.equal(r.out, '', 'no warning at all');
});

t.test('the same check does catch a broken unit', async (t) => {
  const r = await analyze(['verify', copy(t, '\n[Service]\nWatchdogSecs=20\n')]);
  t.match(r.out, /Unknown key 'WatchdogSecs'/);
});

function directives(): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const x = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (x) m.set(x[1]!, [...(m.get(x[1]!) ?? []), x[2]!]);
  }
  return m;
}

const required: [string, string][] = [
  ['Type', 'notify'],
  ['NotifyAccess', 'main'],
  ['WatchdogSec', '20'],
  ['Restart', 'always'],
  // The Debian package's configuration files.
  ['Environment', 'LIVEPLAYER_CONFIG=/etc/liveplayerd/config.json'],
  ['EnvironmentFile', '-/etc/default/liveplayerd'],
  ['ExecStart', '/usr/bin/liveplayerd --dbus system'],
  ['User', 'liveplayerd'],
  ['Group', 'liveplayer'],
  ['SupplementaryGroups', 'video audio render'],
  ['StateDirectory', 'liveplayerd'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['NoNewPrivileges', 'yes'],
  ['RestrictAddressFamilies', 'AF_UNIX AF_INET AF_INET6 AF_NETLINK'],
  ['DeviceAllow', 'char-drm rw'],
  ['DeviceAllow', 'char-video4linux rw'],
  ['DeviceAllow', 'char-alsa rw'],
];

t.test('the directives the service depends on', async (t) => {
  const d = directives();
  for (const [k, v] of required) t.ok(d.get(k)?.includes(v), `${k}=${v}`);
  for (const k of ['MemoryDenyWriteExecute', 'PrivateDevices']) t.notOk(d.has(k), `no ${k}: it would break V8 or the devices`);
});

t.test('exposure score', async (t) => {
  const r = await analyze(['security', '--offline=true', copy(t)]);
  const m = /Overall exposure level for liveplayerd\.service: ([\d.]+)/.exec(r.out);
  t.ok(m, 'systemd-analyze security reports a score');
  const score = Number(m?.[1]);
  t.comment(`systemd-analyze security: ${score}`);
  t.ok(score <= 3, `exposure ${score} is at most 3.0 (0 = fully locked down, 10 = unprotected)`);
});

t.test('exits a restart cannot fix are not restarted (no loop every second)', async (t) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { EXIT_BAD_CONFIG, EXIT_CANNOT_RUN } = require('../../../src/os/exit-codes') as typeof import('../../../src/os/exit-codes');
  const prevent = (directives().get('RestartPreventExitStatus') ?? []).join(' ').split(/\s+/).filter(Boolean).map(Number);
  t.ok(prevent.includes(EXIT_BAD_CONFIG), `RestartPreventExitStatus has ${EXIT_BAD_CONFIG} (bad option)`);
  t.ok(prevent.includes(EXIT_CANNOT_RUN), `RestartPreventExitStatus has ${EXIT_CANNOT_RUN} (cannot bind --http)`);
  t.notOk(prevent.includes(1), 'other failures (exit 1) are still retried');
  // systemd itself reads the directive as meant: the property shows both codes.
  const r = await analyze(['verify', copy(t)]);
  t.equal(r.out, '', 'still verifies clean');
});

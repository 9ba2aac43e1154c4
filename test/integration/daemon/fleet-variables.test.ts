// The fleet variables through the real daemon, restarted as a balena device
// would be: LIVEPLAYER_SRC against the teacher's last choice (the choice
// stands until the variable's value changes), LIVEPLAYER_CHANNELS merged with
// the teacher's channels, a bad LIVEPLAYER_CHANNELS reported once while the
// daemon starts with the rest, BALENA_DEVICE_NAME_AT_INIT as the default
// name, and --public-url in the pairing address.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { startDaemon, type DaemonOptions, type RunningDaemon } from '../../helpers/daemon';

t.setTimeout(240_000);

function stateDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lp-fleet-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the daemon once over `dir`, hands it to `fn`, and stops it (exit 0 expected). */
async function run<T>(t: Test, dir: string, opts: DaemonOptions, fn: (d: RunningDaemon) => Promise<T>): Promise<T> {
  const d = await startDaemon({ ...opts, stateDir: dir });
  try {
    return await fn(d);
  } finally {
    const r = await d.kill('SIGTERM');
    t.equal(r.code, 0, 'stopped with exit 0');
  }
}

const src = async (d: RunningDaemon): Promise<string> => (await d.api('GET', '/api/v1/player')).body.attributes.src;

t.test("LIVEPLAYER_SRC against the teacher's choice: the choice stands until the variable changes", async (t) => {
  const dir = stateDir(t);
  const A = 'rtmp://127.0.0.1:9/live/fleet-a';
  const B = 'rtmp://127.0.0.1:9/live/teacher-b';
  const C = 'rtmp://127.0.0.1:9/live/fleet-c';
  const D = 'rtmp://127.0.0.1:9/live/teacher-d';
  await run(t, dir, { env: { LIVEPLAYER_SRC: A } }, async (d) => {
    t.equal(await src(d), A, 'first start: the variable');
    t.equal((await d.api('PATCH', '/api/v1/player', { src: B })).status, 200);
  });
  t.same(JSON.parse(readFileSync(path.join(dir, 'given.json'), 'utf8')).seen, { src: A }, 'the value seen is kept in the state dir');
  await run(t, dir, { env: { LIVEPLAYER_SRC: A } }, async (d) => {
    t.equal(await src(d), B, "restart, variable unchanged: the teacher's choice stands");
    t.ok(d.logs().some((l) => l.includes("the teacher's choice stands")), 'and the log says why');
  });
  await run(t, dir, { env: { LIVEPLAYER_SRC: C } }, async (d) => {
    t.equal(await src(d), C, 'the variable changed: its new value wins');
    t.equal((await d.api('PATCH', '/api/v1/player', { src: D })).status, 200);
  });
  await run(t, dir, { env: { LIVEPLAYER_SRC: C } }, async (d) => t.equal(await src(d), D, 'and the teacher can choose again'));
  await run(t, dir, {}, async (d) => t.equal(await src(d), D, 'the variable removed: the choice stays'));
  await run(t, dir, { env: { LIVEPLAYER_SRC: C } }, async (d) => t.equal(await src(d), C, 'set again (even to an old value): a change, it wins'));
});

t.test('LIVEPLAYER_CHANNELS: merged with the teacher\'s; the teacher\'s of the same name wins; fleet ones are read-only', async (t) => {
  const dir = stateDir(t);
  const fleet = JSON.stringify([
    { name: 'Assembly', src: 'rtmp://127.0.0.1:9/live/assembly' },
    { name: 'Maths', src: 'rtmp://127.0.0.1:9/live/maths-fleet' },
  ]);
  let fleetId = '';
  await run(t, dir, { env: { LIVEPLAYER_CHANNELS: fleet } }, async (d) => {
    const list = (await d.api('GET', '/api/v1/channels')).body.channels;
    t.same(list.map((c: { name: string; fleet?: boolean }) => [c.name, c.fleet]), [['Assembly', true], ['Maths', true]], 'fleet channels listed');
    fleetId = list[0].id;
    const own = await d.api('POST', '/api/v1/channels', { name: 'maths', src: 'rtmp://127.0.0.1:9/live/maths-teacher' });
    t.equal(own.status, 200, 'the teacher saves a channel named like a fleet one');
    const after = (await d.api('GET', '/api/v1/channels')).body.channels;
    t.same(after.map((c: { name: string; src: string }) => [c.name, c.src]), [['maths', 'rtmp://127.0.0.1:9/live/maths-teacher'], ['Assembly', 'rtmp://127.0.0.1:9/live/assembly']], "the teacher's wins (names compared without case)");
    const patch = await d.api('PATCH', `/api/v1/channels/${fleetId}`, { name: 'Renamed' });
    t.equal(patch.status, 403, 'a fleet channel cannot be changed on the device');
    t.match(patch.body.errMsg, /LIVEPLAYER_CHANNELS/);
    t.equal((await d.api('DELETE', `/api/v1/channels/${fleetId}`)).status, 403, 'nor deleted');
  });
  await run(t, dir, { env: { LIVEPLAYER_CHANNELS: fleet } }, async (d) => {
    const list = (await d.api('GET', '/api/v1/channels')).body.channels;
    t.equal(list.find((c: { name: string }) => c.name === 'Assembly').id, fleetId, 'a fleet channel keeps its id across restarts');
    t.notOk(readFileSync(path.join(dir, 'channels.json'), 'utf8').includes('assembly'), 'fleet channels are not copied into the device file');
  });
});

t.test('a bad LIVEPLAYER_CHANNELS is reported once and the daemon starts with the rest', async (t) => {
  for (const bad of ['[{"name": "Maths", "src": ', '{"x": 1}', '[{"name": "", "src": "rtmp://127.0.0.1/a"}, {"name": "Ok", "src": "file:///etc/passwd"}, {"name": "Good", "src": "rtmp://127.0.0.1/live/good"}]']) {
    const dir = stateDir(t);
    await run(t, dir, { env: { LIVEPLAYER_CHANNELS: bad, LIVEPLAYER_SRC: 'rtmp://127.0.0.1:9/live/x' } }, async (d) => {
      const lines = d.logs().filter((l) => l.includes('configuration value ignored'));
      t.equal(lines.length, 1, `one warning line for ${JSON.stringify(bad).slice(0, 40)}`);
      t.equal(JSON.parse(lines[0]!).level, 40, 'at warn');
      t.match(JSON.parse(lines[0]!).warning, /^LIVEPLAYER_CHANNELS/, JSON.parse(lines[0]!).warning);
      t.equal(await src(d), 'rtmp://127.0.0.1:9/live/x', 'the other variables still apply');
      const names = (await d.api('GET', '/api/v1/channels')).body.channels.map((c: { name: string }) => c.name);
      t.same(names, bad.includes('Good') ? ['Good'] : [], 'the usable channels are kept');
    });
  }
});

function page(base: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(`${base}/`, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });
}

t.test('the name: BALENA_DEVICE_NAME_AT_INIT by default, LIVEPLAYER_NAME wins', async (t) => {
  await run(t, stateDir(t), { env: { BALENA_DEVICE_NAME_AT_INIT: 'Room 12' } }, async (d) => t.match(await page(d.base), /"name":"Room 12"/, 'the balena device name'));
  await run(t, stateDir(t), { env: { BALENA_DEVICE_NAME_AT_INIT: 'Room 12', LIVEPLAYER_NAME: 'Physics lab' } }, async (d) => t.match(await page(d.base), /"name":"Physics lab"/, 'LIVEPLAYER_NAME wins'));
  await run(t, stateDir(t), { env: { BALENA_DEVICE_NAME_AT_INIT: 'x'.repeat(80) } }, async (d) => {
    t.match(await page(d.base), new RegExp(`"name":"${os.hostname()}"`), 'an unusable device name: the host name');
    t.ok(d.logs().some((l) => l.includes('BALENA_DEVICE_NAME_AT_INIT cannot be shown')), 'and a warning');
  });
});

t.test('--public-url sets the address the QR code carries', async (t) => {
  await run(t, stateDir(t), { args: ['--public-url', 'http://tv-3.school.lan:8080/'] }, async (d) => {
    t.match((await d.api('GET', '/api/v1/pairing')).body.url, /^http:\/\/tv-3\.school\.lan:8080\/pair\?code=[A-Za-z0-9_-]{22}$/);
  });
  await run(t, stateDir(t), { env: { LIVEPLAYER_PUBLIC_URL: 'https://tv-4.school.lan' } }, async (d) => {
    t.match((await d.api('GET', '/api/v1/pairing')).body.url, /^https:\/\/tv-4\.school\.lan\/pair\?code=/, 'from the variable');
  });
});

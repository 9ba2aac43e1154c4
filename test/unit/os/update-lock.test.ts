// balena's update lock on real files in temp stand-ins for /tmp/balena and
// /tmp/resin: held while a real LivePlayer has a session, kept across a src
// switch, released on stop or failure, never taken when disabled, never
// stolen from the supervisor, and a lock left by a SIGKILLed run is cleaned.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LivePlayer } from '../../../src/player/player';
import { UpdateLock } from '../../../src/os/update-lock';
import { FakeEngine } from '../../helpers/fake-engine';
import { sleep } from '../../helpers/time';

const silent = pino({ level: 'silent' });

function dirs(t: Test) {
  const root = mkdtempSync(join(tmpdir(), 'lp-lock-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const balena = join(root, 'balena');
  const resin = join(root, 'resin');
  mkdirSync(balena);
  mkdirSync(resin);
  return { root, dirs: [balena, resin], files: [join(balena, 'updates.lock'), join(resin, 'resin-updates.lock')] };
}

const present = (files: string[]) => files.map((f) => existsSync(f));

t.test('hold creates the lock in both documented places, release removes it', async (t) => {
  const { dirs: d, files } = dirs(t);
  const lock = new UpdateLock({ enabled: true, dirs: d }, silent);
  lock.hold();
  t.same(present(files), [true, true], 'held');
  t.equal(JSON.parse(readFileSync(files[0]!, 'utf8')).pid, process.pid, 'the lock names our pid');
  const ino = statSync(files[0]!).ino;
  lock.hold();
  t.equal(statSync(files[0]!).ino, ino, 'a second hold keeps the same file');
  lock.release();
  t.same(present(files), [false, false], 'released');
  lock.release();
  t.same(present(files), [false, false], 'releasing twice is harmless');
});

t.test('disabled: never created', async (t) => {
  const { dirs: d, files } = dirs(t);
  const lock = new UpdateLock({ enabled: false, dirs: d }, silent);
  lock.hold();
  t.same(present(files), [false, false]);
  t.equal(lock.holding, false);
});

t.test('a missing lock dir (not under balena) is skipped, not created', async (t) => {
  const { root } = dirs(t);
  const lock = new UpdateLock({ enabled: true, dirs: [join(root, 'nope')] }, silent);
  t.doesNotThrow(() => lock.hold());
  t.equal(existsSync(join(root, 'nope')), false);
});

t.test("the supervisor's lock is neither overwritten nor removed", async (t) => {
  const { dirs: d, files } = dirs(t);
  writeFileSync(files[0]!, ''); // what the supervisor's lockfile looks like
  const lock = new UpdateLock({ enabled: true, dirs: d }, silent);
  lock.hold();
  t.equal(readFileSync(files[0]!, 'utf8'), '', 'left as it was');
  lock.release();
  t.same(present(files), [true, false], 'still there after our release; ours is gone');
  lock.cleanStale();
  t.ok(existsSync(files[0]!), 'and cleanStale leaves it too');
});

function deadPid(): Promise<number> {
  return new Promise((res) => {
    const c = spawn('true');
    c.once('exit', () => res(c.pid!));
  });
}

t.test('cleanStale removes our locks whose pid is dead or is our own pid, and keeps the rest', async (t) => {
  const { dirs: d, files } = dirs(t);
  const lock = new UpdateLock({ enabled: true, dirs: d }, silent);
  const owner = (pid: number) => JSON.stringify({ owner: 'liveplayerd', pid, at: new Date().toISOString() });

  writeFileSync(files[0]!, owner(await deadPid()));
  writeFileSync(files[1]!, owner(process.pid));
  lock.cleanStale();
  t.same(present(files), [false, false], 'a dead pid and our own pid (PID 1 reused across container restarts)');

  const sleeper = spawn('sleep', ['30']);
  t.teardown(() => sleeper.kill('SIGKILL'));
  writeFileSync(files[0]!, owner(sleeper.pid!));
  writeFileSync(files[1]!, JSON.stringify({ owner: 'someone-else', pid: await deadPid() }));
  lock.cleanStale();
  t.same(present(files), [true, true], 'a live owner and a foreign lock stay');
});

// A real run of ours that dies by SIGKILL while holding the lock.
const CHILD = `
const { UpdateLock } = require(${JSON.stringify(require.resolve('../../../src/os/update-lock'))});
const pino = require(${JSON.stringify(require.resolve('pino'))});
new UpdateLock({ enabled: true, dirs: JSON.parse(process.argv[1]) }, pino({ level: 'silent' })).hold();
process.stdout.write('held\\n');
setInterval(() => {}, 1000);
`;

t.test('a lock left by a SIGKILLed run is gone after the next start', async (t) => {
  const { dirs: d, files } = dirs(t);
  const child = spawn(process.execPath, ['-e', CHILD, JSON.stringify(d)], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((res) => child.stdout.once('data', () => res()));
  t.same(present(files), [true, true], 'the child holds the lock');
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
  t.same(present(files), [true, true], 'the crash leaves the lock behind');
  new UpdateLock({ enabled: true, dirs: d }, silent).cleanStale();
  t.same(present(files), [false, false], 'the next start removes it');
});

t.test('attached to a real player: held while a session exists, kept across a src switch', async (t) => {
  const { dirs: d, files } = dirs(t);
  const engine = new FakeEngine({ restartKeys: ['src'] });
  const player = new LivePlayer({ engine, log: silent, reconnect: { attempts: 1, intervalMs: 10 } });
  t.teardown(() => player.shutdown());
  const lock = new UpdateLock({ enabled: true, dirs: d }, silent);
  lock.attach(player);
  // Checked at every transition, so a release-then-hold during the switch would show.
  const seen: string[] = [];
  player.on('state', ({ state }) => seen.push(`${state}:${present(files).join(',')}`));

  player.setAttributes({ src: 'rtmp://h/live/a' });
  t.same(present(files), [false, false], 'idle with a src: no lock');
  player.play();
  engine.events.code(2004);
  t.equal(player.state, 'playing');
  const ino = statSync(files[0]!).ino;
  player.setAttributes({ src: 'rtmp://h/live/b' });
  t.equal(engine.opened.length, 2, 'the src switch opened a new session');
  engine.events.code(2004);
  t.equal(statSync(files[0]!).ino, ino, 'the same lock file survived the switch');
  await player.pause();
  t.same(present(files), [true, true], 'paused: still held');
  await player.stop();
  t.same(present(files), [false, false], 'stopped: released');
  t.same(seen, ['connecting:true,true', 'playing:true,true', 'connecting:true,true', 'playing:true,true', 'paused:true,true', 'stopped:false,false']);

  player.play();
  t.same(present(files), [true, true], 'playing again: held again');
  engine.events.failed(-2302, 'bad address');
  await sleep(20);
  t.equal(player.state, 'error');
  t.same(present(files), [false, false], 'error: released');
});

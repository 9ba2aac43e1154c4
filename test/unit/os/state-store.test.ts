// StateStore on real files: round trip, every kind of bad file loads as
// defaults with a warning (never a throw), writes leave no temp file behind,
// and a real LivePlayer's changes are saved as they happen.
import t, { type Test } from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DEFAULT_ATTRIBUTES } from '../../../src/player/attributes';
import { LivePlayer } from '../../../src/player/player';
import { parseState, StateStore, startingView, type PersistedState } from '../../../src/os/state-store';
import { FakeEngine } from '../../helpers/fake-engine';

function setup(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'lp-state-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lines: { level: number; msg: string }[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { dir, lines, store: new StateStore(dir, log), warnings: () => lines.filter((l) => l.level === 40) };
}

const sample: PersistedState = {
  version: 1,
  attributes: { ...DEFAULT_ATTRIBUTES, src: 'rtmp://192.168.1.10/live/class1', muted: true, minCache: 2, maxCache: 5, soundMode: 'ear' },
  playing: true,
};

t.test('missing file loads as null, silently', async (t) => {
  const { store, lines } = setup(t);
  t.equal(store.load(), null);
  t.same(lines, []);
});

t.test('round trip', async (t) => {
  const { dir, store, warnings } = setup(t);
  store.save(sample);
  t.same(store.load(), sample);
  t.same(readdirSync(dir), ['state.json'], 'no temp file is left behind');
  t.equal(statSync(join(dir, 'state.json')).mode & 0o777, 0o600, 'only the daemon reads it (it may hold a private src)');
  store.save({ ...sample, playing: false });
  t.equal(store.load()?.playing, false, 'a second save replaces the first');
  t.same(warnings(), []);
});

t.test('save creates a missing state dir', async (t) => {
  const { dir } = setup(t);
  const nested = join(dir, 'a', 'b');
  const store = new StateStore(nested, pino({ level: 'silent' }));
  store.save(sample);
  t.same(store.load(), sample);
});

t.test('a file from an older version with fewer attributes fills in defaults', async (t) => {
  const { dir, store, warnings } = setup(t);
  writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, attributes: { src: 'rtmp://h/live/a' }, playing: true }));
  t.same(store.load(), { version: 1, attributes: { ...DEFAULT_ATTRIBUTES, src: 'rtmp://h/live/a' }, playing: true });
  t.same(warnings(), []);
});

const valid = JSON.stringify(sample);
const bad: [string, string][] = [
  ['empty', ''],
  ['truncated', valid.slice(0, Math.floor(valid.length / 2))],
  ['cut before the last brace', valid.slice(0, -1)],
  ['not JSON', 'hello'],
  ['NUL bytes (a block never written)', '\0'.repeat(64)],
  ['null', 'null'],
  ['an array', '[]'],
  ['unknown version', JSON.stringify({ ...sample, version: 2 })],
  ['no version', JSON.stringify({ attributes: sample.attributes, playing: true })],
  ['playing is a string', JSON.stringify({ ...sample, playing: 'true' })],
  ['attributes missing', JSON.stringify({ version: 1, playing: true })],
  ['muted is a string', JSON.stringify({ ...sample, attributes: { ...sample.attributes, muted: 'yes' } })],
  ['unknown attribute', JSON.stringify({ ...sample, attributes: { ...sample.attributes, loudness: 3 } })],
  ['bad src scheme', JSON.stringify({ ...sample, attributes: { ...sample.attributes, src: 'file:///etc/passwd' } })],
  ['minCache above maxCache', JSON.stringify({ ...sample, attributes: { ...sample.attributes, minCache: 9, maxCache: 1 } })],
  ['mode out of range', JSON.stringify({ ...sample, attributes: { ...sample.attributes, mode: 'vod' } })],
];

for (const [name, content] of bad) {
  t.test(`${name}: defaults and a warning`, async (t) => {
    const { dir, store, warnings } = setup(t);
    writeFileSync(join(dir, 'state.json'), content);
    t.same(store.load(), { version: 1, attributes: DEFAULT_ATTRIBUTES, playing: false });
    t.equal(warnings().length, 1, 'one warning');
    t.match(warnings()[0]?.msg, /starting from defaults/);
  });
}

t.test('an unreadable state file (a directory in its place) is defaults and a warning', async (t) => {
  const { dir, store, warnings } = setup(t);
  mkdirSync(join(dir, 'state.json'));
  t.same(store.load()?.attributes, DEFAULT_ATTRIBUTES);
  t.equal(warnings().length, 1);
});

t.test('attach saves every attribute and intent change of a real player', async (t) => {
  const { dir, store } = setup(t);
  const player = new LivePlayer({ engine: new FakeEngine({ restartKeys: ['src'] }), log: pino({ level: 'silent' }), reconnect: { attempts: 1, intervalMs: 10 } });
  store.attach(player);
  t.equal(store.load(), null, 'nothing is written before a change');
  player.setAttributes({ src: 'rtmp://h/live/a', muted: true });
  await store.flush();
  t.same(store.load(), { version: 1, attributes: { ...DEFAULT_ATTRIBUTES, src: 'rtmp://h/live/a', muted: true }, playing: false, view: { fullScreen: { fullScreen: false, direction: 0 }, pictureInPicture: false } });
  player.play();
  await store.flush();
  t.equal(store.load()?.playing, true, 'play() is saved as the intent to play');
  await player.stop();
  await store.flush();
  t.equal(store.load()?.playing, false, 'stop() too');
  t.same(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).attributes.src, 'rtmp://h/live/a');
  await player.shutdown();
});

t.test('a failing save is logged, not thrown into the player', async (t) => {
  const { dir, lines } = setup(t);
  const blocker = join(dir, 'file');
  writeFileSync(blocker, 'x');
  // A state dir below a regular file cannot be created: every save fails.
  const store = new StateStore(join(blocker, 'state'), pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) }));
  const player = new LivePlayer({ engine: new FakeEngine({ restartKeys: ['src'] }), log: pino({ level: 'silent' }), reconnect: { attempts: 1, intervalMs: 10 } });
  store.attach(player);
  t.doesNotThrow(() => player.setAttributes({ muted: true }));
  t.equal(player.attributes.muted, true);
  await store.flush();
  t.ok(lines.some((l) => l.level === 50 && l.msg === 'saving state failed'));
});

t.test('changes made while a write is in flight end with the newest state on disk', async (t) => {
  const { store } = setup(t);
  const player = new LivePlayer({ engine: new FakeEngine({ restartKeys: ['src'] }), log: pino({ level: 'silent' }), reconnect: { attempts: 1, intervalMs: 10 } });
  store.attach(player);
  // 50 changes in one tick: the writer must not interleave writes, and the last one wins.
  for (let i = 1; i <= 50; i++) player.setAttributes({ maxCache: 1 + i / 100, muted: i % 2 === 0 });
  t.equal(store.load(), null, 'the request path did not wait for the disk');
  await store.flush();
  t.same(store.load()?.attributes.maxCache, 1.5);
  t.same(store.load()?.attributes.muted, true);
  await player.shutdown();
});

t.test('the view a user chose is saved and comes back; a new start view option overrides it', async (t) => {
  const { store } = setup(t);
  const player = new LivePlayer({ engine: new FakeEngine({ restartKeys: ['src'] }), log: pino({ level: 'silent' }), reconnect: { attempts: 1, intervalMs: 10 }, view: startingView(null, 'fullscreen') });
  t.same(player.viewState, { fullScreen: { fullScreen: true, direction: 0 }, pictureInPicture: false }, 'full screen when nothing was saved');
  store.attach(player, 'fullscreen');
  player.requestFullScreen(90);
  await store.flush();
  t.same(startingView(store.load(), 'fullscreen'), { fullScreen: { fullScreen: true, direction: 90 }, pictureInPicture: false }, 'full screen turned 90 comes back');
  player.exitFullScreen();
  player.requestPictureInPicture();
  await store.flush();
  t.same(startingView(store.load(), 'fullscreen'), { fullScreen: { fullScreen: false, direction: 0 }, pictureInPicture: true }, 'the window in PiP comes back');
  t.same(startingView(store.load(), 'window'), { fullScreen: { fullScreen: false, direction: 0 }, pictureInPicture: false }, 'a changed --start-view wins over the saved view');
  t.same(startingView(null, 'window').fullScreen.fullScreen, false, '--start-view window');
  await player.shutdown();
});

t.test('an older state file without a view loads; a bad view is left out', async (t) => {
  t.same(parseState({ version: 1, attributes: {}, playing: true }).view, undefined);
  t.same(parseState({ version: 1, attributes: {}, playing: true, view: { fullScreen: { fullScreen: true, direction: 45 }, pictureInPicture: false } }).view, undefined);
  t.equal(parseState({ version: 1, attributes: {}, playing: true, waitingSince: 'yesterday' }).waitingSince, undefined);
  t.equal(parseState({ version: 1, attributes: {}, playing: true, waitingSince: '2026-12-06T10:00:00.000Z' }).waitingSince, '2026-12-06T10:00:00.000Z');
});

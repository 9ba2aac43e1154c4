// The player's reconnect, give-up and waiting logic over sequences of engine
// events: what state and codes follow, whether the source is watched, and
// what a user's stop, play or new src does in the middle of a wait.
import t from 'tap';
import pino from 'pino';
import { LivePlayer } from '../../../src/player/player';
import type { PlayerState } from '../../../src/player/state';
import { FakeEngine, FakeWatcher } from '../../helpers/fake-engine';
import { sleep } from '../../helpers/time';

function rig(opts: { rejoin?: boolean; attempts?: number } = {}) {
  const engine = new FakeEngine();
  const watcher = new FakeWatcher();
  const player = new LivePlayer({
    engine,
    watcher,
    rejoin: opts.rejoin ?? true,
    log: pino({ level: 'silent' }),
    reconnect: { attempts: opts.attempts ?? 2, intervalMs: 5 },
    waitBackoff: { firstMs: 40, maxMs: 320 },
  });
  const codes: number[] = [];
  const states: PlayerState[] = [];
  const errors: string[] = [];
  player.on('statechange', ({ code }) => codes.push(code));
  player.on('state', ({ state }) => states.push(state));
  player.on('playererror', ({ errMsg }) => errors.push(errMsg));
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/class1' });
  player.play();
  const start = async () => {
    engine.events.code(2001);
    engine.events.code(2004);
  };
  /** Drops the connection `n` times, letting each scheduled retry run. */
  const dropTimes = async (n: number) => {
    for (let i = 0; i < n; i++) {
      engine.events.dropped(3005, 'cut');
      await sleep(15);
    }
  };
  return { engine, watcher, player, codes, states, errors, start, dropTimes };
}

interface Case {
  name: string;
  rejoin: boolean;
  end: (r: ReturnType<typeof rig>) => Promise<void>;
  codes: number[];
  state: PlayerState;
  watched: boolean;
  intends: boolean;
  errors: number;
}

const cases: Case[] = [
  { name: 'the publisher stops (2006), rejoin on', rejoin: true, end: async (r) => r.engine.events.ended('UnpublishNotify'), codes: [2001, 2004, 2006], state: 'waiting', watched: true, intends: true, errors: 0 },
  { name: 'the publisher stops (2006), rejoin off', rejoin: false, end: async (r) => r.engine.events.ended('UnpublishNotify'), codes: [2001, 2004, 2006], state: 'stopped', watched: false, intends: false, errors: 0 },
  { name: 'reconnecting gives up (-2301), rejoin on', rejoin: true, end: (r) => r.dropTimes(3), codes: [2001, 2004, 3005, 2103, 3005, 2103, 3005, -2301], state: 'waiting', watched: true, intends: true, errors: 0 },
  { name: 'reconnecting gives up (-2301), rejoin off', rejoin: false, end: (r) => r.dropTimes(3), codes: [2001, 2004, 3005, 2103, 3005, 2103, 3005, -2301], state: 'error', watched: false, intends: false, errors: 1 },
  { name: 'the address cannot be played (-2302): no wait can help', rejoin: true, end: async (r) => r.engine.events.failed(-2302, 'rtsp'), codes: [2001, 2004, -2302], state: 'error', watched: false, intends: false, errors: 1 },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const r = rig({ rejoin: c.rejoin });
    await r.start();
    await c.end(r);
    await sleep(10);
    t.same(r.codes, c.codes, 'codes');
    t.equal(r.player.state, c.state, 'state');
    t.equal(r.watcher.calls.length > 0, c.watched, c.watched ? 'the source is watched' : 'nothing is watched');
    t.equal(r.player.intendsToPlay, c.intends, 'the intent to play');
    t.equal(r.errors.length, c.errors, 'playererror events');
    t.equal(r.engine.live, 0, 'no media session is left');
    if (c.state === 'waiting') {
      const w = r.player.view().waiting!;
      t.equal(w.code, c.codes[c.codes.length - 1], 'the wait names the code that ended the lesson');
      t.ok(Date.now() - Date.parse(w.since) < 2000, 'and since when');
    } else t.equal(r.player.view().waiting, undefined, 'no wait in the view');
    await r.player.shutdown();
  });
}

t.test('the stream comes back: a new session, 2001 ... 2004, playing, and the wait is over', async (t) => {
  const r = rig();
  await r.start();
  r.engine.events.ended('StreamEOF');
  await sleep(5);
  t.equal(r.watcher.calls.length, 1, 'the first watch starts at once');
  t.equal(r.watcher.last.src, 'rtmp://127.0.0.1/live/class1');
  r.watcher.last.resolve({ live: true, heldMs: 3000, detail: 'media arrived' });
  await sleep(5);
  t.equal(r.engine.opened.length, 2, 'a new session is opened');
  t.equal(r.player.state, 'connecting');
  r.engine.events.code(2001);
  r.engine.events.code(2004);
  t.equal(r.player.state, 'playing');
  t.same(r.codes.slice(-2), [2001, 2004]);
  t.equal(r.player.view().waiting, undefined);
  t.same(r.states, ['connecting', 'playing', 'waiting', 'connecting', 'playing']);
  await r.player.shutdown();
});

t.test('watches that fail back off 1x, 2x, 4x up to the cap; a long held watch starts the back-off again', async (t) => {
  const r = rig();
  await r.start();
  r.engine.events.ended('StreamEOF');
  const answered: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sleep(5);
    answered.push(Date.now());
    r.watcher.last.resolve({ live: false, heldMs: 0, detail: 'refused' });
    const n = r.watcher.calls.length;
    while (r.watcher.calls.length === n) await sleep(2);
  }
  // From each answer to the next watch: scheduled 40, 80, 160, 320, 320 ms. A busy machine only makes
  // timers late, so the upper bound is loose; the lower one allows a timer's millisecond rounding.
  const gaps = r.watcher.calls.slice(1).map((c, i) => c.at - answered[i]!);
  const want = [40, 80, 160, 320, 320];
  gaps.forEach((g, i) => t.ok(g >= want[i]! - 2 && g < want[i]! + 250, `gap ${i + 1}: ${g} ms (want about ${want[i]})`));
  r.watcher.last.resolve({ live: false, heldMs: 60_000, detail: 'held, no media' });
  const n = r.watcher.calls.length;
  const t0 = Date.now();
  while (r.watcher.calls.length === n) await sleep(2);
  t.ok(Date.now() - t0 < 200, `after a held watch the next comes after the first back-off, not the cap (${Date.now() - t0} ms)`);
  await r.player.shutdown();
});

t.test("a user's stop ends the wait: the watch is cancelled and nothing plays again", async (t) => {
  const r = rig();
  await r.start();
  r.engine.events.ended('StreamEOF');
  await sleep(5);
  await r.player.stop();
  t.equal(r.player.state, 'stopped');
  t.ok(r.watcher.last.cancelled, 'the watch is cancelled');
  t.notOk(r.player.intendsToPlay);
  await sleep(150);
  t.equal(r.watcher.calls.length, 1, 'no later watch');
  t.equal(r.engine.opened.length, 1, 'no session opened');
});

t.test('play during a wait plays now; a new src during a wait plays the new src', async (t) => {
  const r = rig();
  await r.start();
  r.engine.events.ended('StreamEOF');
  await sleep(5);
  r.player.play();
  t.equal(r.player.state, 'connecting', 'play opens a session at once');
  t.ok(r.watcher.last.cancelled, 'and cancels the watch');
  r.engine.events.ended('StreamEOF');
  await sleep(5);
  t.equal(r.player.state, 'waiting');
  r.player.setAttributes({ src: 'rtmp://127.0.0.1/live/class2' });
  t.equal(r.player.state, 'connecting');
  t.equal(r.engine.opened[r.engine.opened.length - 1]!.opts.attributes.src, 'rtmp://127.0.0.1/live/class2');
  await r.player.shutdown();
  await sleep(100);
  t.equal(r.engine.opened.length, 3, 'no session opened by a stale watch');
});

t.test('resumeWaiting (a restart in the middle of a wait) keeps the first since and watches at once', async (t) => {
  const engine = new FakeEngine();
  const watcher = new FakeWatcher();
  const player = new LivePlayer({ engine, watcher, log: pino({ level: 'silent' }), reconnect: { attempts: 3, intervalMs: 5 }, attributes: undefined });
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/class1' });
  const since = new Date(Date.now() - 600_000).toISOString();
  player.resumeWaiting(since);
  t.equal(player.state, 'waiting');
  t.equal(player.view().waiting?.since, since);
  t.ok(player.intendsToPlay);
  await sleep(5);
  t.equal(watcher.calls.length, 1);
  t.equal(engine.opened.length, 0, 'no session until the stream is back');
  await player.shutdown();
});

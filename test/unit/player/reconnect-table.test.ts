// The player's reconnect, give-up and waiting rules as a table: each row is
// the player's options, a sequence of engine events, watch answers, user
// calls and passing time, and the timeline that follows (engine calls, codes,
// states, playererror, watches). Time is a manual clock, so the real
// intervals (1 s between attempts, the wait's 1 s doubling to 30 s) are used
// and every row runs in milliseconds, the same way every time.
//
// Steps:   play | stop | pause | code N | dropped N|- | ended | failed N|- |
//          crashed | netstatus | old <event> (on the session before the
//          newest) | watch live|gone|held | tick MS
// Timeline: engine <call> | state <state> | code N | error (playererror) |
//          watch | watch cancelled | tick MS (time passing, as in the steps)
import t from 'tap';
import pino from 'pino';
import type { EngineEvents, WatchResult } from '../../../src/player/engine';
import { LivePlayer } from '../../../src/player/player';
import { isActive, type PlayerState } from '../../../src/player/state';
import type { StatusCode } from '../../../src/player/status-codes';
import { FakeEngine, FakeWatcher, type FakeSession } from '../../helpers/fake-engine';
import { ManualClock } from '../../helpers/manual-clock';

interface Row {
  name: string;
  /** Reconnect attempts (default 3, 1 s apart). */
  attempts?: number;
  /** The rejoin option (default on). */
  rejoin?: boolean;
  /** Whether the player has a source watcher (default yes). */
  watcher?: boolean;
  steps: string[];
  timeline: string[];
  end: {
    state: PlayerState;
    intends: boolean;
    /** The code the wait names, when the row ends waiting. */
    waiting?: number;
    /** The player's netstatus is kept (true) or cleared (false). */
    net?: boolean;
  };
  /**
   * The row records what the player does today although it looks wrong:
   * what should happen instead. A fix changes the row to that.
   */
  looksWrong?: string;
}

const PLAYING = ['play', 'code 2004'];
const PLAYING_TIMELINE = ['engine open', 'state connecting', 'code 2004', 'state playing'];
const LESSON_ENDED = [...PLAYING_TIMELINE, 'code 2006', 'state waiting', 'engine stop', 'watch'];

const rows: Row[] = [
  {
    name: 'a normal start: connecting, the start codes, playing on 2004',
    steps: ['play', 'code 2001', 'code 2002', 'code 2003', 'code 2008', 'code 2004'],
    timeline: ['engine open', 'state connecting', 'code 2001', 'code 2002', 'code 2003', 'code 2008', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'a drop (3005) says 2103 and reconnects the same session after the interval; 2004 plays again',
    steps: [...PLAYING, 'dropped 3005', 'tick 999', 'tick 1', 'code 2004'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting', 'tick 999', 'tick 1', 'engine reconnect', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'a drop without a code of its own (2007 then a stall) says only 2103',
    steps: [...PLAYING, 'dropped -', 'tick 1000', 'code 2004'],
    timeline: [...PLAYING_TIMELINE, 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'the first connection fails (3002) and every attempt too, rejoin off: -2301, error, the session freed',
    attempts: 2,
    rejoin: false,
    steps: ['play', 'dropped 3002', 'tick 1000', 'dropped 3002', 'tick 1000', 'dropped 3002'],
    timeline: [
      'engine open', 'state connecting',
      'code 3002', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect',
      'code 3002', 'code 2103', 'tick 1000', 'engine reconnect',
      'code 3002', 'code -2301', 'state error', 'error', 'engine stop',
    ],
    end: { state: 'error', intends: false },
  },
  {
    name: 'the same with rejoin on: -2301, then waiting, and the source is watched at once',
    attempts: 2,
    steps: ['play', 'dropped 3002', 'tick 1000', 'dropped 3002', 'tick 1000', 'dropped 3002'],
    timeline: [
      'engine open', 'state connecting',
      'code 3002', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect',
      'code 3002', 'code 2103', 'tick 1000', 'engine reconnect',
      'code 3002', 'code -2301', 'state waiting', 'engine stop', 'watch',
    ],
    end: { state: 'waiting', intends: true, waiting: -2301 },
  },
  {
    name: 'rejoin on but no watcher: -2301 is an error, as on the phone',
    attempts: 0,
    watcher: false,
    steps: [...PLAYING, 'dropped 3005'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code -2301', 'state error', 'error', 'engine stop'],
    end: { state: 'error', intends: false },
  },
  {
    name: 'no attempts: the first drop gives up at once',
    attempts: 0,
    rejoin: false,
    steps: [...PLAYING, 'dropped 3005', 'tick 5000'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code -2301', 'state error', 'error', 'engine stop', 'tick 5000'],
    end: { state: 'error', intends: false },
  },
  {
    name: 'playing again (2004) gives the attempts back: one attempt survives any number of drops far apart',
    attempts: 1,
    rejoin: false,
    steps: [...PLAYING, 'dropped 3005', 'tick 1000', 'code 2004', 'dropped 3005', 'tick 1000', 'code 2004', 'dropped 3005', 'tick 1000', 'code 2004'],
    timeline: [
      ...PLAYING_TIMELINE,
      'code 3005', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2004', 'state playing',
      'code 3005', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2004', 'state playing',
      'code 3005', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2004', 'state playing',
    ],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'a reconnect that connects (2001) but never plays does not give the attempts back',
    attempts: 2,
    rejoin: false,
    steps: [...PLAYING, 'dropped 3005', 'tick 1000', 'code 2001', 'dropped 3005', 'tick 1000', 'code 2001', 'dropped 3005'],
    timeline: [
      ...PLAYING_TIMELINE,
      'code 3005', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2001',
      'code 3005', 'code 2103', 'tick 1000', 'engine reconnect', 'code 2001',
      'code 3005', 'code -2301', 'state error', 'error', 'engine stop',
    ],
    end: { state: 'error', intends: false },
  },
  {
    name: 'a second drop before the retry spends another attempt and moves the one retry a full interval on',
    steps: [...PLAYING, 'dropped 3005', 'tick 500', 'dropped 3005', 'tick 999', 'tick 1'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting', 'tick 500', 'code 3005', 'code 2103', 'tick 999', 'tick 1', 'engine reconnect'],
    end: { state: 'reconnecting', intends: true },
  },
  {
    name: 'the media process dies: 2103 without a code of its own, then a fresh session (connecting, playing)',
    steps: [...PLAYING, 'crashed', 'tick 1000', 'code 2004'],
    timeline: [...PLAYING_TIMELINE, 'code 2103', 'state reconnecting', 'tick 1000', 'engine open', 'state connecting', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'events of the dead process are ignored',
    steps: [...PLAYING, 'crashed', 'tick 1000', 'old ended', 'old dropped 3005', 'old code 2004'],
    timeline: [...PLAYING_TIMELINE, 'code 2103', 'state reconnecting', 'tick 1000', 'engine open', 'state connecting'],
    end: { state: 'connecting', intends: true },
  },
  {
    name: 'the media process dies with no attempts left, rejoin off: -2301 and error, nothing left to stop',
    attempts: 0,
    rejoin: false,
    steps: [...PLAYING, 'crashed'],
    timeline: [...PLAYING_TIMELINE, 'code -2301', 'state error', 'error'],
    end: { state: 'error', intends: false },
  },
  {
    name: 'the publisher stops (2006), rejoin off: stopped without an error, and the intent to play is dropped',
    rejoin: false,
    steps: [...PLAYING, 'ended', 'tick 60000'],
    timeline: [...PLAYING_TIMELINE, 'code 2006', 'state stopped', 'engine stop', 'tick 60000'],
    end: { state: 'stopped', intends: false },
  },
  {
    name: 'the publisher stops (2006) with no watcher: stopped as well',
    watcher: false,
    steps: [...PLAYING, 'ended'],
    timeline: [...PLAYING_TIMELINE, 'code 2006', 'state stopped', 'engine stop'],
    end: { state: 'stopped', intends: false },
  },
  {
    name: 'the publisher stops (2006), rejoin on: waiting, watched at once; the stream back opens a new session',
    steps: [...PLAYING, 'ended', 'watch live', 'code 2001', 'code 2004'],
    timeline: [...LESSON_ENDED, 'engine open', 'state connecting', 'code 2001', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'watches that find nothing back off 1 s, 2 s, 4 s; a watch that held its connection 10 s or more starts at 1 s again',
    steps: [...PLAYING, 'ended', 'watch gone', 'tick 999', 'tick 1', 'watch gone', 'tick 1999', 'tick 1', 'watch gone', 'tick 4000', 'watch held', 'tick 999', 'tick 1'],
    timeline: [...LESSON_ENDED, 'tick 999', 'tick 1', 'watch', 'tick 1999', 'tick 1', 'watch', 'tick 4000', 'watch', 'tick 999', 'tick 1', 'watch'],
    end: { state: 'waiting', intends: true, waiting: 2006 },
  },
  {
    name: 'the back-off stops doubling at 30 s',
    steps: [...PLAYING, 'ended', 'watch gone', 'tick 1000', 'watch gone', 'tick 2000', 'watch gone', 'tick 4000', 'watch gone', 'tick 8000', 'watch gone', 'tick 16000', 'watch gone', 'tick 29999', 'tick 1', 'watch gone', 'tick 30000'],
    timeline: [...LESSON_ENDED, 'tick 1000', 'watch', 'tick 2000', 'watch', 'tick 4000', 'watch', 'tick 8000', 'watch', 'tick 16000', 'watch', 'tick 29999', 'tick 1', 'watch', 'tick 30000', 'watch'],
    end: { state: 'waiting', intends: true, waiting: 2006 },
  },
  {
    name: 'back after a wait and lost again before playing: the wait still names the code that ended the lesson',
    attempts: 1,
    steps: [...PLAYING, 'ended', 'watch live', 'dropped 3002', 'tick 1000', 'dropped 3002'],
    timeline: [...LESSON_ENDED, 'engine open', 'state connecting', 'code 3002', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 3002', 'code -2301', 'state waiting', 'engine stop', 'watch'],
    end: { state: 'waiting', intends: true, waiting: 2006 },
  },
  {
    name: 'the address cannot be played (-2302): error at once, no attempt and no wait even with rejoin on',
    steps: [...PLAYING, 'failed -2302', 'tick 60000'],
    timeline: [...PLAYING_TIMELINE, 'code -2302', 'state error', 'error', 'engine stop', 'tick 60000'],
    end: { state: 'error', intends: false },
  },
  {
    name: 'a pipeline that cannot be built fails without a code: error, and only the playererror says why',
    steps: ['play', 'failed -'],
    timeline: ['engine open', 'state connecting', 'state error', 'error', 'engine stop'],
    end: { state: 'error', intends: false },
  },
  {
    name: "a user's stop while reconnecting cancels the pending attempt",
    steps: [...PLAYING, 'dropped 3005', 'stop', 'tick 5000'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting', 'engine stop', 'state stopped', 'tick 5000'],
    end: { state: 'stopped', intends: false },
  },
  {
    name: "a user's stop while waiting cancels the watch, and nothing is watched or played after",
    steps: [...PLAYING, 'ended', 'stop', 'tick 60000'],
    timeline: [...LESSON_ENDED, 'watch cancelled', 'state stopped', 'tick 60000'],
    end: { state: 'stopped', intends: false },
  },
  {
    name: 'play while waiting plays at once and cancels the watch',
    steps: [...PLAYING, 'ended', 'play'],
    timeline: [...LESSON_ENDED, 'watch cancelled', 'engine open', 'state connecting'],
    end: { state: 'connecting', intends: true },
  },
  {
    name: 'a drop while paused reconnects, and 2004 then plays: the pause is not kept',
    steps: [...PLAYING, 'pause', 'dropped 3005', 'tick 1000', 'code 2004'],
    timeline: [...PLAYING_TIMELINE, 'engine pause', 'state paused', 'code 3005', 'code 2103', 'state reconnecting', 'tick 1000', 'engine reconnect', 'code 2004', 'state playing'],
    end: { state: 'playing', intends: true },
  },
  {
    name: 'the figures of the stream stay while reconnecting',
    attempts: 1,
    rejoin: false,
    steps: [...PLAYING, 'netstatus', 'dropped 3005'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting'],
    end: { state: 'reconnecting', intends: true, net: true },
  },
  {
    name: 'the figures of the stream are cleared on -2301',
    attempts: 0,
    rejoin: false,
    steps: [...PLAYING, 'netstatus', 'dropped 3005'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code -2301', 'state error', 'error', 'engine stop'],
    end: { state: 'error', intends: false, net: false },
  },
  {
    name: 'the publisher stops (2006) while an attempt is pending, rejoin off: stopped, and the pending attempt is cancelled',
    rejoin: false,
    steps: [...PLAYING, 'dropped 3005', 'ended', 'tick 1000'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting', 'code 2006', 'state stopped', 'engine stop', 'tick 1000'],
    end: { state: 'stopped', intends: false },
  },
  {
    name: 'the address fails (-2302) while an attempt is pending: error, and the pending attempt is cancelled',
    steps: [...PLAYING, 'dropped 3005', 'failed -2302', 'tick 1000'],
    timeline: [...PLAYING_TIMELINE, 'code 3005', 'code 2103', 'state reconnecting', 'code -2302', 'state error', 'error', 'engine stop', 'tick 1000'],
    end: { state: 'error', intends: false },
  },
];

const WATCH: Record<string, WatchResult> = {
  live: { live: true, heldMs: 1500, detail: 'media arrived' },
  gone: { live: false, heldMs: 0, detail: 'connection refused' },
  held: { live: false, heldMs: 60_000, detail: 'held, no media' },
};

function codeOf(arg: string | undefined): StatusCode | null {
  return arg === undefined || arg === '-' ? null : (Number(arg) as StatusCode);
}

/** Fires one engine event named in a step on the given session's events. */
function fire(events: EngineEvents, words: string[]): void {
  const [what, arg] = words;
  if (what === 'code') events.code(codeOf(arg)!);
  else if (what === 'dropped') events.dropped(codeOf(arg), 'connection cut');
  else if (what === 'ended') events.ended('UnpublishNotify');
  else if (what === 'failed') events.failed(codeOf(arg), 'no pipeline for this address');
  else if (what === 'crashed') events.crashed('media worker exited with signal SIGSEGV');
  else if (what === 'netstatus') events.netstatus({ videoFPS: 25, netSpeed: 900 });
  else throw new Error(`unknown engine event: ${words.join(' ')}`);
}

async function runRow(row: Row) {
  const timeline: string[] = [];
  class TimelineEngine extends FakeEngine {
    protected override record(call: string): void {
      super.record(call);
      timeline.push(`engine ${call}`);
    }
  }
  class TimelineWatcher extends FakeWatcher {
    override watch(src: string) {
      timeline.push('watch');
      const w = super.watch(src);
      return { result: w.result, cancel: () => (timeline.push('watch cancelled'), w.cancel()) };
    }
  }
  const engine = new TimelineEngine();
  const dead = new Set<FakeSession>();
  const watcher = new TimelineWatcher();
  const clock = new ManualClock();
  const player = new LivePlayer({
    engine,
    watcher: row.watcher === false ? undefined : watcher,
    rejoin: row.rejoin ?? true,
    log: pino({ level: 'silent' }),
    reconnect: { attempts: row.attempts ?? 3, intervalMs: 1000 },
  });
  const errors: string[] = [];
  player.on('state', ({ state }) => timeline.push(`state ${state}`));
  player.on('statechange', ({ code }) => timeline.push(`code ${code}`));
  player.on('playererror', ({ errMsg }) => (timeline.push('error'), errors.push(errMsg)));
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/class1' });
  clock.install();
  try {
    for (const step of row.steps) {
      const words = step.split(' ');
      if (words[0] === 'play') player.play();
      else if (words[0] === 'stop') await player.stop();
      else if (words[0] === 'pause') await player.pause();
      else if (words[0] === 'tick') {
        timeline.push(step);
        await clock.advance(Number(words[1]));
      } else if (words[0] === 'watch') watcher.last.resolve(WATCH[words[1]!]!);
      else {
        const session = words[0] === 'old' ? engine.opened.at(-2)! : engine.session;
        const event = words[0] === 'old' ? words.slice(1) : words;
        // A crashed session's process is gone: nothing is left for the player to stop.
        if (event[0] === 'crashed') dead.add(session);
        fire(session.events, event);
      }
      // What a step starts "at once" (a zero delay) belongs to the step.
      await clock.advance(0);
    }
    const seen = {
      timeline: [...timeline],
      errors: [...errors],
      state: player.state,
      intends: player.intendsToPlay,
      waiting: player.view().waiting?.code,
      net: Object.keys(player.view().netStatus).length > 0,
      live: engine.opened.filter((s) => !s.stopped && !dead.has(s)).length,
    };
    await player.shutdown();
    await clock.advance(0);
    return { ...seen, leftTimers: clock.waiting };
  } finally {
    clock.uninstall();
  }
}

for (const row of rows) {
  t.test(row.name, async (t) => {
    if (row.looksWrong) t.comment(`looks wrong: ${row.looksWrong}`);
    const r = await runRow(row);
    t.same(r.timeline, row.timeline, 'the timeline');
    t.equal(r.state, row.end.state, 'the state at the end');
    t.equal(r.intends, row.end.intends, 'the intent to play');
    t.equal(r.waiting, row.end.waiting, row.end.waiting === undefined ? 'no wait in the view' : 'the code the wait names');
    t.equal(r.live, isActive(row.end.state) ? 1 : 0, 'a media session exists exactly while the state is active');
    t.equal(r.errors.length, row.timeline.filter((e) => e === 'error').length, 'one playererror per error in the timeline');
    if (row.end.net !== undefined) t.equal(r.net, row.end.net, row.end.net ? 'the stream figures are kept' : 'the stream figures are cleared');
    t.equal(r.leftTimers, 0, 'nothing is left scheduled after shutdown');
  });
}

t.test('the reasons a user reads: attempt n of N, the give-up count, and the detail of a failure without a code', async (t) => {
  const messages: string[] = [];
  const errors: string[] = [];
  const engine = new FakeEngine();
  const clock = new ManualClock();
  const player = new LivePlayer({ engine, log: pino({ level: 'silent' }), rejoin: false, reconnect: { attempts: 2, intervalMs: 1000 } });
  player.on('statechange', ({ code, message }) => messages.push(`${code} ${message}`));
  player.on('playererror', ({ errMsg }) => errors.push(errMsg));
  player.setAttributes({ src: 'rtmp://127.0.0.1/live/class1' });
  clock.install();
  try {
    player.play();
    engine.events.dropped(3002, 'refused');
    t.same(player.reconnectAttempt, { attempt: 1, of: 2 });
    await clock.advance(1000);
    engine.events.dropped(3002, 'refused');
    t.same(player.reconnectAttempt, { attempt: 2, of: 2 });
    await clock.advance(1000);
    engine.events.dropped(3002, 'refused');
    player.play();
    engine.events.failed(null, 'no element for this address');
  } finally {
    await player.shutdown();
    clock.uninstall();
  }
  t.match(messages[1], /^2103 .*: refused; attempt 1 of 2 in 1 s$/);
  t.match(messages[3], /^2103 .*: refused; attempt 2 of 2 in 1 s$/);
  t.match(messages[5], /^-2301 .*: refused; gave up after 2 attempts$/);
  t.match(errors[0], /^Network disconnected; .*: refused; gave up after 2 attempts$/);
  t.equal(errors[1], 'no element for this address');
});

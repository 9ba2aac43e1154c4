// The stream's last picture for the TV's full-screen card: asked once per
// state, dropped when the state moved on, and "overdue" when the media
// worker is slow to give it, so the screen says what happens without it.
import t from 'tap';
import pino from 'pino';
import { Backdrop } from '../../../src/tv/backdrop';
import type { Still } from '../../../src/gst/protocol';
import { sleep } from '../../helpers/time';

const STILL: Still = { width: 2, height: 1, rgba: Buffer.alloc(8, 200).toString('base64') };

function rig(overdueMs = 40) {
  const player = { state: 'reconnecting' as 'reconnecting' | 'paused' | 'playing' };
  let answer: (s: Still | null) => void = () => undefined;
  let asked = 0;
  let changes = 0;
  const b = new Backdrop({
    shownFrame: () => {
      asked++;
      return new Promise<Still | null>((r) => (answer = r));
    },
    player,
    onChange: () => changes++,
    log: pino({ level: 'silent' }),
    overdueMs,
  });
  return { b, player, answer: (s: Still | null) => answer(s), asked: () => asked, changes: () => changes };
}

t.test('a copy in time: the picture, never overdue', async (t) => {
  const r = rig();
  r.b.fetch('reconnecting');
  r.answer(STILL);
  await sleep(80);
  t.equal(r.asked(), 1);
  t.equal(r.b.picture?.state, 'reconnecting');
  t.equal(r.b.overdue, false, 'the answer stopped the clock');
  t.equal(r.changes(), 1, 'one change: the picture came');
});

t.test('a slow worker: overdue after the wait, then the picture when it comes', async (t) => {
  const r = rig();
  r.b.fetch('reconnecting');
  await sleep(20);
  t.equal(r.b.overdue, false, 'not yet');
  await sleep(60);
  t.equal(r.b.overdue, true, 'overdue after 40 ms without an answer');
  t.equal(r.changes(), 1, 'the screen was told');
  r.answer(STILL);
  await sleep(0);
  t.ok(r.b.picture, 'the late copy still counts while the state holds');
  t.equal(r.changes(), 2);
});

t.test('no copy at all: failed, and overdue is not raised after it', async (t) => {
  const r = rig();
  r.b.fetch('reconnecting');
  r.answer(null);
  await sleep(80);
  t.equal(r.b.failed, true);
  t.equal(r.b.overdue, false);
});

t.test('the state moved on: the clock and a late answer are dropped', async (t) => {
  const r = rig();
  r.b.fetch('reconnecting');
  r.player.state = 'playing';
  r.b.forget();
  await sleep(80);
  t.equal(r.b.overdue, false, 'no overdue for a state that is over');
  r.answer(STILL);
  await sleep(0);
  t.equal(r.b.picture, null, 'the answer belongs to the state before');
  t.equal(r.changes(), 0);
});

// The pipeline's PLAYING waits a little after a pause from PLAYING (a live
// basesrc in GStreamer 1.24+ otherwise pauses its task for good, see
// src/gst/worker/state-driver.ts); nothing else is held back.
import t from 'tap';
import { PAUSE_SETTLE_MS, StateDriver } from '../../../src/gst/worker/state-driver';
import { ManualClock } from '../../helpers/manual-clock';

function rig(mayPlay = () => true) {
  const clock = new ManualClock();
  clock.install();
  const calls: string[] = [];
  const d = new StateDriver({ play: () => calls.push(`play@${clock.now}`), pause: () => calls.push(`pause@${clock.now}`) }, () => mayPlay(), () => clock.now);
  return { clock, calls, d };
}

t.test('the first PLAYING after the preroll PAUSED is not held back', async (t) => {
  const { clock, calls, d } = rig();
  t.teardown(() => clock.uninstall());
  d.pause();
  d.play();
  t.same(calls, ['pause@0', 'play@0'], 'a warm start loses nothing');
});

t.test('a round trip from PLAYING waits out the settle time', async (t) => {
  const { clock, calls, d } = rig();
  t.teardown(() => clock.uninstall());
  d.play();
  await clock.advance(1000);
  d.pause();
  d.play();
  t.same(calls, ['play@0', 'pause@1000'], 'PLAYING is not set at once');
  await clock.advance(PAUSE_SETTLE_MS - 1);
  t.equal(calls.length, 2, 'nor before the settle time');
  await clock.advance(1);
  t.same(calls, ['play@0', 'pause@1000', `play@${1000 + PAUSE_SETTLE_MS}`], 'but when it has passed');
  // Long after a pause, PLAYING comes at once.
  d.pause();
  await clock.advance(5000);
  d.play();
  t.equal(calls[calls.length - 1], `play@${1000 + PAUSE_SETTLE_MS + 5000}`);
});

t.test('a held-back PLAYING is dropped when the session moved on', async (t) => {
  let may = true;
  const { clock, calls, d } = rig(() => may);
  t.teardown(() => clock.uninstall());
  d.play();
  d.pause();
  d.play();
  may = false;
  await clock.advance(PAUSE_SETTLE_MS * 2);
  t.same(calls, ['play@0', 'pause@0'], 'no PLAYING once the phase is no longer running');
  d.pause();
  d.play();
  d.pause();
  may = true;
  await clock.advance(PAUSE_SETTLE_MS * 2);
  t.same(calls.slice(-1), ['pause@120'], 'a pause cancels the PLAYING it follows');
  d.play();
  d.pause();
  d.play();
  d.cancel();
  await clock.advance(PAUSE_SETTLE_MS * 2);
  t.same(calls.slice(-2), ['play@240', 'pause@240'], 'and so does cancel()');
});

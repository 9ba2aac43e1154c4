// RenderWatch on basesink stats strings as GStreamer 1.22 prints them: the
// count, the wait that fires once past N, gives up when no longer wanted,
// and reports each look before that (what the preroll kick runs on).
import t from 'tap';
import { RenderWatch } from '../../../src/gst/worker/watches/render-watch';
import { sleep } from '../../helpers/time';

const stats = (n: number) => `application/x-gst-base-sink-stats, average-rate=(double)0, dropped=(guint64)0, rendered=(guint64)${n};`;

function sinks() {
  const count: Record<string, number> = { vsink: 0, asink: 0 };
  const pipeline = { findChild: (name: string) => (name in count ? { stats: stats(count[name]!) } : null) };
  return { count, watch: new RenderWatch(pipeline) };
}

t.test('counts what each sink rendered', async (t) => {
  const { count, watch } = sinks();
  count.vsink = 7;
  count.asink = 120;
  t.equal(watch.rendered(), 7);
  t.equal(watch.rendered('asink'), 120);
  t.equal(new RenderWatch({ findChild: () => null }).rendered(), 0, 'no sink: 0');
});

t.test('fires once past the count, and looks until then', async (t) => {
  const { count, watch } = sinks();
  count.vsink = 1;
  let fired = 0;
  const looks: number[] = [];
  watch.whenRendered('vsink', 1, () => true, () => fired++, (ms) => looks.push(ms));
  await sleep(120);
  t.equal(fired, 0, 'not while the count stays at 1');
  t.ok(looks.length >= 3 && looks.every((ms, i) => i === 0 || ms >= looks[i - 1]!), `each look reports the time waited (${looks.length} looks)`);
  count.vsink = 2;
  await sleep(80);
  t.equal(fired, 1, 'fired once the sink rendered one more');
  const n = looks.length;
  await sleep(80);
  t.equal(looks.length, n, 'and stopped looking');
});

t.test('gives up for good when no longer wanted', async (t) => {
  const { count, watch } = sinks();
  let wanted = true;
  let fired = 0;
  watch.whenRendered('asink', 0, () => wanted, () => fired++);
  wanted = false;
  await sleep(60);
  count.asink = 5;
  wanted = true;
  await sleep(60);
  t.equal(fired, 0);
});

t.test("the TV's words on the video sink are not the stream's frames", async (t) => {
  const { count, watch } = sinks();
  count.vsink = 40;
  watch.freeze();
  count.vsink = 42;
  t.equal(watch.rendered(), 40, 'while the words show: the count when they came');
  count.asink = 9;
  t.equal(watch.rendered('asink'), 9, 'the audio sink is not touched');
  watch.thaw();
  t.equal(watch.rendered(), 40, 'after: the two words frames are left out');
  count.vsink = 45;
  t.equal(watch.rendered(), 43, 'and the stream counts on from there');
  count.vsink = 3;
  t.equal(watch.rendered(), 3, 'the sink counting from 0 again (a pause) drops the correction');
  watch.thaw();
  t.equal(watch.rendered(), 3, 'thaw without freeze changes nothing');
});

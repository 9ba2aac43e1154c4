// The RTMP client's reads on a real socket: as the bytes come while the stream
// starts, then gathered, at most one read per STEADY_READ_GAP_MS, with every
// frame still delivered and none held much longer than the gap. A reader
// without the gap (RTC mode: no latency to absorb it) reads each write as it
// comes for the whole play.
import t, { type Test } from 'tap';
import { startHostileRtmp } from '../../helpers/hostile-rtmp';
import { Recorder } from '../../helpers/reader-recorder';
import { sleep } from '../../helpers/time';
import { PROMPT_AFTER_KEY_FRAME_MS } from '../../../src/media/rtmp/ack-policy';
import { STEADY_READ_GAP_MS, readGapFor } from '../../../src/media/rtmp/client';
import { cachePolicy } from '../../../src/media/feed/catch-up';

const FRAME_EVERY_MS = 5;

t.test('the gap follows the mode: live mode gathers, RTC reads at once', async (t) => {
  t.equal(readGapFor(cachePolicy('live', 1, 3).latencyMs), STEADY_READ_GAP_MS, 'live, minCache 1 s');
  t.equal(readGapFor(cachePolicy('live', 0.2, 0.8).latencyMs), STEADY_READ_GAP_MS, 'live, minCache 0.2 s');
  t.equal(readGapFor(cachePolicy('live', 0.05, 0.3).latencyMs), 0, 'live, minCache 50 ms: too short to absorb it');
  t.equal(readGapFor(cachePolicy('rtc', 0.2, 0.8).latencyMs), 0, 'RTC');
});

/** Plays the steady stream for a while and gives reads and frames per second, while starting and once steady. */
async function play(t: Test, steadyReadGapMs: number) {
  const srv = await startHostileRtmp({ mode: 'steady', frameEveryMs: FRAME_EVERY_MS, frameBytes: 600 });
  t.teardown(() => srv.stop());
  const r = new Recorder(srv.url(), { steadyReadGapMs }).start();
  t.teardown(() => r.close());
  await r.waitFor(() => r.firstKeyFrame() !== undefined, 5000, 'first key frame');
  const key = r.firstKeyFrame()!.at;
  await sleep(PROMPT_AFTER_KEY_FRAME_MS + 3500);
  t.equal(r.failure, null, 'no failure');
  const rate = (from: number, to: number) => {
    const reads = r.reads.filter((x) => x.at >= from && x.at < to).length;
    const frames = r.tags.filter((x) => x.tag.type === 9 && x.at >= from && x.at < to).length;
    return { reads: (reads * 1000) / (to - from), frames: (frames * 1000) / (to - from) };
  };
  const starting = rate(key, key + PROMPT_AFTER_KEY_FRAME_MS - 300);
  const steadyFrom = key + PROMPT_AFTER_KEY_FRAME_MS + 300;
  const steadyTo = r.tags[r.tags.length - 1]!.at;
  const steady = rate(steadyFrom, steadyTo);
  return { r, starting, steady, steadyFrom };
}

t.test(`gathered: a stream of a small frame every ${FRAME_EVERY_MS} ms`, async (t) => {
  const { r, starting, steady, steadyFrom } = await play(t, STEADY_READ_GAP_MS);
  t.comment(`reads per second: ${starting.reads.toFixed(0)} while starting, ${steady.reads.toFixed(0)} when steady; frames per second ${starting.frames.toFixed(0)} and ${steady.frames.toFixed(0)}`);
  const cap = 1000 / STEADY_READ_GAP_MS;
  t.ok(starting.reads > cap * 2, `while starting, each write is read as it comes (${starting.reads.toFixed(0)} reads/s)`);
  t.ok(steady.reads <= cap * 1.15, `when steady, at most one read per ${STEADY_READ_GAP_MS} ms (${steady.reads.toFixed(0)} reads/s against ${cap})`);
  t.ok(steady.reads >= cap * 0.6, `and the reads go on at that pace (${steady.reads.toFixed(0)} reads/s)`);
  // Every frame still arrives: the server sends 200 a second, and a gathered read brings several.
  t.ok(steady.frames >= (1000 / FRAME_EVERY_MS) * 0.8, `every frame still comes (${steady.frames.toFixed(0)} frames/s)`);
  const gaps = r.tags.filter((x) => x.at >= steadyFrom).map((x, i, a) => (i ? x.at - a[i - 1]!.at : 0));
  const longest = Math.max(...gaps);
  t.ok(longest < STEADY_READ_GAP_MS + 40, `no frame waits much past the gap (longest pause between arrivals ${longest.toFixed(0)} ms)`);
});

t.test(`ungathered (RTC): the same stream`, async (t) => {
  const { r, starting, steady, steadyFrom } = await play(t, 0);
  t.comment(`reads per second: ${starting.reads.toFixed(0)} while starting, ${steady.reads.toFixed(0)} when steady; frames per second ${starting.frames.toFixed(0)} and ${steady.frames.toFixed(0)}`);
  const cap = 1000 / STEADY_READ_GAP_MS;
  t.ok(steady.reads > cap * 2, `when steady, each write is still read as it comes (${steady.reads.toFixed(0)} reads/s)`);
  t.ok(steady.frames >= (1000 / FRAME_EVERY_MS) * 0.8, `every frame comes (${steady.frames.toFixed(0)} frames/s)`);
  // A loaded machine can hold any process once for tens of ms (CI: 30 ms once), so the typical pause is judged, not the longest.
  const gaps = r.tags.filter((x) => x.at >= steadyFrom).map((x, i, a) => (i ? x.at - a[i - 1]!.at : 0)).sort((a, b) => a - b);
  const p95 = gaps[Math.floor(gaps.length * 0.95)]!;
  t.ok(p95 < STEADY_READ_GAP_MS / 2, `frames do not wait for a gap (95 % of the pauses between arrivals under ${p95.toFixed(0)} ms; longest ${gaps[gaps.length - 1]!.toFixed(0)} ms)`);
});

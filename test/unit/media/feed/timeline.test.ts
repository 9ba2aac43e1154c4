// ContinuousTimeline: tags arriving at 25 fps video and ~43/s audio whose
// input timestamps jump (back, forward, wrap at 2^31 and 2^32) come out on a
// timeline whose steps match the arrivals; real pauses (the arrivals stop
// as long as the timestamps jump) and small reordering are left alone.
import t from 'tap';
import { ContinuousTimeline } from '../../../../src/media/feed/timeline';
import type { FlvTag } from '../../../../src/media/types';

const video = (ts: number): FlvTag => ({ type: 9, timestamp: ts, data: Buffer.from([0x27, 1, 0, 0, 0, 0]) });
const audio = (ts: number): FlvTag => ({ type: 8, timestamp: ts, data: Buffer.from([0xaf, 1, 0x21]) });

/** 4 s of interleaved A/V from input time `start`, arrival from `at`; `jumpAt` (s) adds `jump` to the input from then on, modulo `wrap`. */
function feed(tl: ContinuousTimeline, start: number, jump: number, wrap = 2 ** 32, at0 = 0): { out: number[]; outAudio: number[] } {
  const out: number[] = [];
  const outAudio: number[] = [];
  for (let ms = 0; ms < 4000; ms += 20) {
    const at = at0 + ms;
    const shift = ms >= 2000 ? jump : 0;
    const ts = (start + ms + shift) % wrap;
    if (ms % 40 === 0) out.push(tl.mend(video(ts), at).tag.timestamp);
    else outAudio.push(tl.mend(audio(ts - 20 < 0 ? 0 : ts), at).tag.timestamp);
  }
  return { out, outAudio };
}

const steps = (a: number[]) => a.slice(1).map((x, i) => x - a[i]!);

const cases: [string, number, number, number?][] = [
  ['a jump back by 10 s', 60_000, -10_000],
  ['a jump forward by 10 s', 60_000, 10_000],
  ['a jump forward by an hour', 60_000, 3_600_000],
  ['a publisher restarting at 0 behind a relay', 600_000, -600_000],
  ['a wrap at 2^32', 2 ** 32 - 2000, 0],
  ['a wrap at 2^31', 2 ** 31 - 2000, 0, 2 ** 31],
];

for (const [about, start, jump, wrap] of cases) {
  t.test(`${about}: the output keeps the stream's pace`, async (tt) => {
    const tl = new ContinuousTimeline();
    const { out, outAudio } = feed(tl, start, jump, wrap);
    const v = steps(out);
    tt.ok(v.every((s) => s >= 20 && s <= 60), `video steps stay near 40 ms (${Math.min(...v)}..${Math.max(...v)})`);
    tt.ok(steps(outAudio).every((s) => s >= 0 && s <= 80), 'audio keeps moving forward at its pace');
    tt.equal(tl.jumps, 1, 'one jump mended, for both tracks');
    tt.ok(Math.abs(out[out.length - 1]! - outAudio[outAudio.length - 1]!) < 100, 'audio and video stay in step');
  });
}

t.test('a real pause of the publisher is kept: the arrivals stop as long', async (tt) => {
  const tl = new ContinuousTimeline();
  tl.mend(video(1000), 0);
  tl.mend(video(1040), 40);
  const r = tl.mend(video(6040), 5040);
  tt.equal(r.tag.timestamp, 6040);
  tt.equal(r.moved, null);
});

t.test('small steps back (interleaving) and metadata at 0 pass untouched', async (tt) => {
  const tl = new ContinuousTimeline();
  tl.mend(video(5000), 0);
  tt.equal(tl.mend(video(4700), 10).moved, null);
  const meta: FlvTag = { type: 18, timestamp: 0, data: Buffer.from([2, 0, 10]) };
  tt.equal(tl.mend(meta, 20).tag, meta);
  tt.equal(tl.jumps, 0);
});

t.test('a new connection starts afresh', async (tt) => {
  const tl = new ContinuousTimeline();
  tl.mend(video(90_000), 0);
  tl.discontinuity();
  tt.equal(tl.mend(video(10), 100).tag.timestamp, 10);
});

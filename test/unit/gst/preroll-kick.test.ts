// The preroll kick's schedule, driven by hand: when it sets the pipeline
// going again, how often, and when it stops. The real freeze it cures is in
// test/integration/engine/video-only.test.ts (a video-only stream, live and RTC).
import t from 'tap';
import { kickPastPreroll, type PrerollKick } from '../../../src/gst/worker/preroll-kick';

function rig(o: { mayPlay?: () => boolean; wanted?: () => boolean; latencyMs?: number } = {}) {
  const calls: string[] = [];
  const logged: number[] = [];
  let look: ((elapsedMs: number) => void) | undefined;
  let stillWanted: () => boolean = () => true;
  const k: PrerollKick = {
    pipeline: { pause: () => calls.push('pause'), play: () => calls.push('play') },
    renders: {
      rendered: () => 1,
      whenRendered: (_sink, beyond, wanted, _then, each) => {
        calls.push(`wait beyond ${beyond}`);
        stillWanted = wanted;
        look = each;
      },
    },
    latencyMs: o.latencyMs ?? 1000,
    mayPlay: o.mayPlay ?? (() => true),
    wanted: o.wanted ?? (() => true),
    repeated: (repeat) => logged.push(repeat),
  };
  kickPastPreroll(k);
  // What RenderWatch does on each look: give up once unwanted, else report the time.
  const at = (ms: number) => stillWanted() && look?.(ms);
  return { calls, logged, at };
}

t.test('one round trip at the first frame, then a wait for the next frame', async (tt) => {
  const r = rig();
  tt.same(r.calls, ['pause', 'play', 'wait beyond 1'], 'PAUSED -> PLAYING once, then waits for a frame past the first');
});

t.test('repeats once per latency + 400 ms without a new frame, at most 5 times', async (tt) => {
  const r = rig({ latencyMs: 1000 });
  r.at(1399);
  tt.same(r.logged, [], 'not before latency + grace');
  r.at(1400);
  tt.same(r.logged, [1], 'first repeat at 1400 ms');
  r.at(2000);
  tt.same(r.logged, [1], 'the next one waits another 1400 ms');
  for (let ms = 2800; ms <= 14000; ms += 1400) r.at(ms);
  tt.same(r.logged, [1, 2, 3, 4, 5], 'five repeats, then it stops looking');
  tt.equal(r.calls.filter((c) => c === 'play').length, 6, 'six round trips in all');
});

t.test('no round trip while the pipeline must not play; none once the session gave up', async (tt) => {
  let may = false;
  const r = rig({ mayPlay: () => may, latencyMs: 0 });
  tt.same(r.calls, ['wait beyond 1'], 'paused or held: the first round trip is skipped');
  r.at(500);
  tt.same(r.logged, [], 'and so is a repeat');
  may = true;
  r.at(500);
  tt.same(r.logged, [1], 'once it may play, the kick comes');
  let wanted = true;
  const g = rig({ wanted: () => wanted, latencyMs: 0 });
  wanted = false;
  g.at(5000);
  tt.same(g.logged, [], 'the decoder gave up: no more kicks');
});

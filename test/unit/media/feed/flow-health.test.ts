// The tick's judgement of the flow, on hand-made timelines: when the buffer
// counts as running dry (2007), when an open connection counts as dropped,
// and when the picture froze (2105). The real causes are provoked in
// test/integration/codes/degradation.test.ts (stall), test/integration/codes/stream.test.ts
// and test/integration/codes/stutter.test.ts (timestamps jump, frames arrive unrendered).
import t from 'tap';
import { FlowHealth } from '../../../../src/media/feed/flow-health';

const health = () => new FlowHealth({ tickMs: 1000, dryMs: 1000, stallTimeoutMs: 5000 });

t.test('2007 once per dry spell; the stall timeout drops the connection and starts a new wait', async (tt) => {
  const h = health();
  h.fed(0);
  tt.same(h.flow(1000), { dryFor: null, stalledFor: null }, '1 s without a tag is not yet dry');
  tt.same(h.flow(1500), { dryFor: 1500, stalledFor: null }, 'past 1 s: dry, said once');
  tt.ok(h.buffering, 'and buffering while it lasts');
  tt.same(h.flow(2500), { dryFor: null, stalledFor: null }, 'not said again in the same spell');
  h.fed(2600);
  tt.same(h.flow(3000), { dryFor: null, stalledFor: null }, 'a tag ends the spell');
  tt.notOk(h.buffering);
  tt.same(h.flow(4000), { dryFor: 1400, stalledFor: null }, 'a new spell is said again');
  tt.same(h.flow(7601), { dryFor: null, stalledFor: 5001 }, 'past the stall timeout: dropped');
  tt.same(h.flow(8601), { dryFor: null, stalledFor: null }, 'the new connection gets a whole timeout');
});

t.test('2105 when frames arrive and none is rendered, once per freeze, never while a still picture is expected', async (tt) => {
  const h = health();
  tt.match(h.picture(1, 25, false), { renderFPS: 1, froze: false }, 'the first frame');
  tt.match(h.picture(1, 25, false), { renderFPS: 0, froze: false }, 'still after the first frame only: the buffer is filling, not a freeze');
  tt.match(h.picture(26, 25, false), { renderFPS: 25, froze: false }, 'moving');
  tt.match(h.picture(26, 25, true), { renderFPS: 0, froze: false }, 'still while quiet (reconnecting, held, filling): no code');
  tt.match(h.picture(26, 25, false), { renderFPS: 0, froze: true }, 'still while frames arrive: froze');
  tt.match(h.picture(26, 25, false), { renderFPS: 0, froze: false }, 'said once per freeze');
  tt.match(h.picture(50, 25, false), { renderFPS: 24, froze: false }, 'moving again');
  tt.match(h.picture(50, 0, false), { renderFPS: 0, froze: false }, 'nothing arrives: that is 2007, not 2105');
  tt.match(h.picture(50, 25, false), { renderFPS: 0, froze: true }, 'a new freeze is said again');
});

t.test('still ticks count up while frames arrive and nothing renders, and restart when the picture moves', async (tt) => {
  const h = new FlowHealth({ tickMs: 1000, dryMs: 1000, stallTimeoutMs: 5000 });
  let rendered = 0;
  const tick = (fps: number, quiet = false) => {
    rendered += fps;
    return h.picture(rendered, 25, quiet).stillTicks;
  };
  tt.same([tick(25), tick(25), tick(0), tick(0), tick(0), tick(0)], [0, 0, 1, 2, 3, 4], 'the worker re-syncs at 2 and asks for a fresh session at 4');
  tt.equal(tick(25), 0, 'moving again');
  tt.same([tick(0, true), tick(0, true)], [0, 0], 'a still picture that is expected (quiet) is not counted');
});

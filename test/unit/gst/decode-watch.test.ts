// DecodeWatch: frames in versus out of each decoder, as the identity counters
// report them (a table of counter readings stands in for the pipeline). A
// frame is lost only if it stays missing at two checks in a row and the
// decoder did not say it skipped it as late.
import t from 'tap';
import { DecodeWatch } from '../../../src/gst/worker/watches/decode-watch';
import type { GstPipeline } from '../../../src/gst/worker/binding';

function counters() {
  const n: Record<string, number> = { vdecin: 0, vdecout: 0, adecin: 0, adecout: 0 };
  const pipeline = { findChild: (name: string) => ({ stats: `application/x-identity-stats, num-buffers=(guint64)${n[name] ?? 0};` }) } as unknown as GstPipeline;
  return { n, pipeline };
}

t.test('frames still in flight at one check are not lost', async (tt) => {
  const { n, pipeline } = counters();
  const w = new DecodeWatch(pipeline);
  Object.assign(n, { vdecin: 100, vdecout: 80, adecin: 50, adecout: 40 }); // a burst entered a busy decoder
  tt.same(w.check(), []);
  Object.assign(n, { vdecin: 125, vdecout: 122, adecin: 60, adecout: 59 }); // and came out
  tt.same(w.check(), []);
  tt.same(w.lost, { video: 0, audio: 0 });
});

t.test('frames missing at two checks in a row are reported once', async (tt) => {
  const { n, pipeline } = counters();
  const w = new DecodeWatch(pipeline);
  Object.assign(n, { vdecin: 100, vdecout: 90, adecin: 50, adecout: 45 });
  tt.same(w.check(), [], 'first sight: could still be in flight');
  Object.assign(n, { vdecin: 125, vdecout: 115, adecin: 60, adecout: 55 });
  const codes = w.check();
  tt.same(codes.map((c) => c.code), [2101, 2102]);
  tt.match(codes[0].detail, /^6 video frames could not be decoded/);
  tt.match(codes[1].detail, /^3 audio frames could not be decoded/);
  tt.same(w.check(), [], 'not reported again');
});

t.test('late frames the decoder skipped are not decode failures', async (tt) => {
  const { n, pipeline } = counters();
  const w = new DecodeWatch(pipeline);
  for (let s = 1; s <= 5; s++) {
    // 149 of 477 skipped as late, as measured on two busy cores.
    w.onLate('vdec', 30 * s);
    w.onLate('vsink', 2 * s);
    Object.assign(n, { vdecin: 100 * s, vdecout: 100 * s - 30 * s - 2 });
    tt.same(w.check(), [], `check ${s}`);
  }
  tt.equal(w.droppedFrames, 160, 'decoder and sink drops counted for netstatus');
});

t.test('a flush restarts the QoS figure of an element without losing the total', async (tt) => {
  const { pipeline } = counters();
  const w = new DecodeWatch(pipeline);
  w.onLate('vdec', 10);
  w.onLate('vdec', 3);
  w.onLate('vdec', 5);
  tt.equal(w.droppedFrames, 15);
});

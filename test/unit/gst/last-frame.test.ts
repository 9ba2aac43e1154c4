// The picture a sink shows, read back from its last sample: at full size for
// snapshots, and every n-th pixel for the TV's dimmed backdrop.
import t from 'tap';
import { lastShownFrame } from '../../../src/gst/worker/last-frame';
import type { GstPipeline } from '../../../src/gst/worker/binding';

const withSample = (buf: Buffer, caps: Record<string, unknown>) =>
  ({ findChild: (name: string) => (name === 'vsink' ? { 'last-sample': { buf, caps } } : null) }) as unknown as GstPipeline;

t.test('BGRx read at full size and every second pixel', async (t) => {
  // 4x2, each pixel's blue channel is its index.
  const buf = Buffer.alloc(4 * 2 * 4);
  for (let i = 0; i < 8; i++) buf.set([i, 10, 20, 0], i * 4);
  const full = lastShownFrame(withSample(buf, { width: 4, height: 2, format: 'BGRx' }));
  t.same([full.width, full.height], [4, 2]);
  t.same([...full.data.subarray(4 * 4, 4 * 4 + 4)], [20, 10, 4, 255], 'pixel 4 as RGBA');
  const half = lastShownFrame(withSample(buf, { width: 4, height: 2, format: 'BGRx' }), 2);
  t.same([half.width, half.height], [2, 1], 'at most 2 wide: every second pixel of every second row');
  t.same([...half.data], [20, 10, 0, 255, 20, 10, 2, 255], 'pixels 0 and 2');
});

t.test('I420 read every second pixel keeps its colours', async (t) => {
  // 4x4 I420: Y 16 on the left half, 235 on the right; neutral chroma (rows padded to 4 bytes, as GStreamer lays them out).
  const y = Buffer.alloc(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) y[r * 4 + c] = c < 2 ? 16 : 235;
  const buf = Buffer.concat([y, Buffer.alloc(8, 128), Buffer.alloc(8, 128)]);
  const half = lastShownFrame(withSample(buf, { width: 4, height: 4, format: 'I420' }), 2);
  t.same([half.width, half.height], [2, 2]);
  t.same([...half.data.subarray(0, 4)], [0, 0, 0, 255], 'black on the left');
  t.same([...half.data.subarray(4, 8)], [255, 255, 255, 255], 'white on the right');
});

t.test('no picture: a reason, not garbage', async (t) => {
  t.throws(() => lastShownFrame({ findChild: () => null } as unknown as GstPipeline), /no frame has been shown/);
  t.throws(() => lastShownFrame(withSample(Buffer.alloc(4), { width: 4, height: 4, format: 'I420' })), /not in the default layout/);
});

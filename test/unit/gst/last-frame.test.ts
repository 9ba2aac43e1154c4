// The picture a sink shows, read back from its last sample: at full size for
// snapshots, and every n-th pixel for the TV's still card; a snapshot
// branch's RGBA appsink through the same reader.
import t from 'tap';
import { lastSampleRaster } from '../../../src/gst/worker/last-frame';
import type { GstElement } from '../../../src/gst/worker/binding';

const withSample = (buf: Buffer, caps: Record<string, unknown>) => ({ 'last-sample': { buf, caps } }) as unknown as GstElement;

t.test('BGRx read at full size and every second pixel', async (t) => {
  // 4x2, each pixel's blue channel is its index.
  const buf = Buffer.alloc(4 * 2 * 4);
  for (let i = 0; i < 8; i++) buf.set([i, 10, 20, 0], i * 4);
  const full = lastSampleRaster(withSample(buf, { width: 4, height: 2, format: 'BGRx' }));
  t.same([full.width, full.height], [4, 2]);
  t.same([...full.data.subarray(4 * 4, 4 * 4 + 4)], [20, 10, 4, 255], 'pixel 4 as RGBA');
  const half = lastSampleRaster(withSample(buf, { width: 4, height: 2, format: 'BGRx' }), 2);
  t.same([half.width, half.height], [2, 1], 'at most 2 wide: every second pixel of every second row');
  t.same([...half.data], [20, 10, 0, 255, 20, 10, 2, 255], 'pixels 0 and 2');
});

t.test('I420 read every second pixel keeps its colours', async (t) => {
  // 4x4 I420: Y 16 on the left half, 235 on the right; neutral chroma (rows padded to 4 bytes, as GStreamer lays them out).
  const y = Buffer.alloc(16);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) y[r * 4 + c] = c < 2 ? 16 : 235;
  const buf = Buffer.concat([y, Buffer.alloc(8, 128), Buffer.alloc(8, 128)]);
  const half = lastSampleRaster(withSample(buf, { width: 4, height: 4, format: 'I420' }), 2);
  t.same([half.width, half.height], [2, 2]);
  t.same([...half.data.subarray(0, 4)], [0, 0, 0, 255], 'black on the left');
  t.same([...half.data.subarray(4, 8)], [255, 255, 255, 255], 'white on the right');
});

t.test('no picture: a reason, not garbage', async (t) => {
  t.throws(() => lastSampleRaster(null), /no frame has been shown/);
  t.throws(() => lastSampleRaster(withSample(Buffer.alloc(4), { width: 4, height: 4, format: 'I420' })), /not in the default layout/);
});

t.test("a snapshot appsink's RGBA sample is copied as it is, without the row padding after it", async (t) => {
  const buf = Buffer.alloc(2 * 2 * 4 + 8, 7);
  for (let i = 0; i < 4; i++) buf.set([i, 100 + i, 200, 128], i * 4);
  const r = lastSampleRaster({ 'last-sample': { buf, caps: { width: 2, height: 2, format: 'RGBA' } } } as unknown as GstElement);
  t.same([r.width, r.height, r.data.length], [2, 2, 16]);
  t.same([...r.data.subarray(12, 16)], [3, 103, 200, 128], 'pixel 3, its alpha kept');
  buf[0] = 99;
  t.equal(r.data[0], 0, 'a copy: the sample may be reused after');
  t.throws(() => lastSampleRaster({ 'last-sample': null } as unknown as GstElement), /no frame has been shown/);
});

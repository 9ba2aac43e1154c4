// The picture the video sink shows right now, from its `last-sample`, as
// RGBA. The snapshot branch only sees frames decoded after it opens, so while
// nothing is decoded (reconnecting, paused) it has nothing to give; the sink
// still holds and shows the last frame, and this reads it back.
// Buffers are assumed in GStreamer's default layout (no custom strides), which
// is what a decoder produces for a sink that does not take GstVideoMeta
// (fakesink, kmssink through videoconvert); any other size is refused.
import type { GstElement, GstPipeline } from './binding';

/** A picture in memory: RGBA, row-major. */
export interface Raster {
  width: number;
  height: number;
  data: Buffer;
}

interface Sample {
  buf: Buffer | null;
  caps: Record<string, unknown>;
}

const up4 = (n: number): number => (n + 3) & ~3;

/** BT.601 limited range, the H.264 default when the stream says nothing else. */
function yuvToRgba(out: Buffer, o: number, y: number, u: number, v: number): void {
  const c = 1.164 * (y - 16);
  const d = u - 128;
  const e = v - 128;
  out[o] = Math.max(0, Math.min(255, Math.round(c + 1.596 * e)));
  out[o + 1] = Math.max(0, Math.min(255, Math.round(c - 0.392 * d - 0.813 * e)));
  out[o + 2] = Math.max(0, Math.min(255, Math.round(c + 2.017 * d)));
  out[o + 3] = 255;
}

/** The output size when every `step`-th pixel of each `step`-th row is taken. */
const outSize = (w: number, h: number, step: number) => ({ ow: Math.floor(w / step), oh: Math.floor(h / step) });

/** Planar 4:2:0 (I420, YV12) and semi-planar (NV12, NV21). */
function from420(buf: Buffer, w: number, h: number, format: string, step: number): Buffer | null {
  const ys = up4(w);
  const ch = Math.ceil(h / 2);
  const semi = format === 'NV12' || format === 'NV21';
  const cs = semi ? ys : up4(Math.ceil(w / 2));
  const need = ys * h + (semi ? cs * ch : 2 * cs * ch);
  if (buf.length < need) return null;
  const { ow, oh } = outSize(w, h, step);
  const out = Buffer.alloc(ow * oh * 4);
  const p1 = ys * h;
  const p2 = p1 + cs * ch;
  for (let oy = 0; oy < oh; oy++) {
    const y = oy * step;
    for (let ox = 0; ox < ow; ox++) {
      const x = ox * step;
      const cy = y >> 1;
      const cx = x >> 1;
      let u: number;
      let v: number;
      if (semi) {
        const a = buf[p1 + cy * cs + 2 * cx]!;
        const b = buf[p1 + cy * cs + 2 * cx + 1]!;
        [u, v] = format === 'NV12' ? [a, b] : [b, a];
      } else {
        const a = buf[p1 + cy * cs + cx]!;
        const b = buf[p2 + cy * cs + cx]!;
        [u, v] = format === 'I420' ? [a, b] : [b, a];
      }
      yuvToRgba(out, (oy * ow + ox) * 4, buf[y * ys + x]!, u, v);
    }
  }
  return out;
}

/** 4-byte packed RGB in any of GStreamer's usual orders. */
function fromPacked(buf: Buffer, w: number, h: number, format: string, step: number): Buffer | null {
  const order = format.replace('x', 'A');
  const idx = (ch: string): number => order.indexOf(ch);
  if (buf.length < w * h * 4) return null;
  // A snapshot branch's appsink already has RGBA at full size: a copy.
  if (step === 1 && format === 'RGBA') return Buffer.from(buf.subarray(0, w * h * 4));
  const { ow, oh } = outSize(w, h, step);
  const out = Buffer.alloc(ow * oh * 4);
  const [r, g, b] = [idx('R'), idx('G'), idx('B')];
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const i = oy * step * w + ox * step;
      const o = (oy * ow + ox) * 4;
      out[o] = buf[i * 4 + r]!;
      out[o + 1] = buf[i * 4 + g]!;
      out[o + 2] = buf[i * 4 + b]!;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** Packed 4:4:4 with alpha (A Y U V): what videobox hands the GL and Wayland sinks. */
function fromAyuv(buf: Buffer, w: number, h: number, step: number): Buffer | null {
  if (buf.length < w * h * 4) return null;
  const { ow, oh } = outSize(w, h, step);
  const out = Buffer.alloc(ow * oh * 4);
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++) {
      const i = (oy * step * w + ox * step) * 4;
      yuvToRgba(out, (oy * ow + ox) * 4, buf[i + 1]!, buf[i + 2]!, buf[i + 3]!);
    }
  }
  return out;
}

const PACKED = ['RGBA', 'BGRA', 'ARGB', 'ABGR', 'RGBx', 'BGRx', 'xRGB', 'xBGR'];

/**
 * An element's `last-sample` (a video sink's, a snapshot branch's appsink)
 * as RGBA; with `maxWidth`, every n-th pixel, so a 1080p frame costs a
 * sixteenth of the work at 480 wide. Throws with the reason when the element
 * has no usable picture.
 */
export function lastSampleRaster(element: GstElement | null | undefined, maxWidth = Infinity): Raster {
  const sample = element?.['last-sample'] as Sample | null | undefined;
  if (!sample?.buf) throw new Error('no frame has been shown yet');
  const width = Number(sample.caps.width);
  const height = Number(sample.caps.height);
  const format = String(sample.caps.format);
  if (!width || !height) throw new Error('the shown frame has no size');
  const step = Math.max(1, Math.ceil(width / maxWidth));
  let data: Buffer | null = null;
  if (['I420', 'YV12', 'NV12', 'NV21'].includes(format)) data = from420(sample.buf, width, height, format, step);
  else if (PACKED.includes(format)) data = fromPacked(sample.buf, width, height, format, step);
  else if (format === 'AYUV') data = fromAyuv(sample.buf, width, height, step);
  else throw new Error(`the shown frame is in ${format}, which snapshots do not read`);
  if (!data) throw new Error(`the shown frame (${format} ${width}x${height}, ${sample.buf.length} bytes) is not in the default layout`);
  const { ow, oh } = outSize(width, height, step);
  return { width: ow, height: oh, data };
}

// Reading pictures back for geometry tests: PNG snapshots and X screenshots
// (XWD) as RGBA rasters, and a coarse colour name per pixel that survives
// H.264 and scaling (ffmpeg's smptebars: grey, yellow, cyan, green, magenta,
// red, blue from left to right in the top two thirds).
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';

export interface Image {
  width: number;
  height: number;
  /** RGBA, row-major. */
  data: Buffer;
}

export function readPng(file: string): Image {
  const png = PNG.sync.read(readFileSync(file));
  return { width: png.width, height: png.height, data: png.data };
}

/** A JPEG file decoded to RGBA (what `quality: compressed` snapshots write). */
export function readJpeg(file: string): Image {
  const img = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: true });
  return { width: img.width, height: img.height, data: Buffer.from(img.data) };
}

export function rgb(img: Image, x: number, y: number): [number, number, number] {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

export type Colour = 'black' | 'grey' | 'yellow' | 'cyan' | 'green' | 'magenta' | 'red' | 'blue' | 'other';

/** The nearest smptebars colour (75 % bars), black, or `other`. */
export function colourAt(img: Image, x: number, y: number): Colour {
  const [r, g, b] = rgb(img, x, y);
  const hi = (v: number) => v > 120;
  const lo = (v: number) => v < 70;
  if (r < 40 && g < 40 && b < 40) return 'black';
  if (hi(r) && hi(g) && hi(b)) return 'grey';
  if (hi(r) && hi(g) && lo(b)) return 'yellow';
  if (lo(r) && hi(g) && hi(b)) return 'cyan';
  if (lo(r) && hi(g) && lo(b)) return 'green';
  if (hi(r) && lo(g) && hi(b)) return 'magenta';
  if (hi(r) && lo(g) && lo(b)) return 'red';
  if (lo(r) && lo(g) && hi(b)) return 'blue';
  return 'other';
}

/** How many of `n` evenly spaced points on a line are black (bars, or nothing shown). */
export function blackShare(img: Image, from: [number, number], to: [number, number], n = 40): number {
  let black = 0;
  for (let i = 0; i < n; i++) {
    const x = from[0] + ((to[0] - from[0]) * i) / (n - 1);
    const y = from[1] + ((to[1] - from[1]) * i) / (n - 1);
    if (colourAt(img, x, y) === 'black') black++;
  }
  return black / n;
}

/**
 * The first and last non-black position along a row (or column), so a test
 * can say where the picture starts and ends.
 */
export function extent(img: Image, axis: 'row' | 'column', at: number): [number, number] | null {
  const len = axis === 'row' ? img.width : img.height;
  let first = -1;
  let last = -1;
  for (let i = 0; i < len; i++) {
    const c = axis === 'row' ? colourAt(img, i, at) : colourAt(img, at, i);
    if (c !== 'black') {
      if (first < 0) first = i;
      last = i;
    }
  }
  return first < 0 ? null : [first, last];
}

/**
 * Decodes an XWD dump (`xwd -root -silent`) of a 24/32-bit TrueColor screen.
 * Header: 25 big-endian CARD32s, the window name, then `ncolors` 12-byte
 * colour entries, then the pixels.
 */
export function parseXwd(buf: Buffer): Image {
  const h = (i: number) => buf.readUInt32BE(i * 4);
  const headerSize = h(0);
  const width = h(4);
  const height = h(5);
  const byteOrder = h(7); // 0 = LSBFirst
  const bitsPerPixel = h(11);
  const bytesPerLine = h(12);
  const [rMask, gMask, bMask] = [h(14), h(15), h(16)];
  const ncolors = h(19);
  if (bitsPerPixel !== 32) throw new Error(`XWD with ${bitsPerPixel} bits per pixel is not handled`);
  const start = headerSize + ncolors * 12;
  const shift = (m: number) => Math.log2(m & -m);
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const off = start + y * bytesPerLine + x * 4;
      const p = byteOrder === 0 ? buf.readUInt32LE(off) : buf.readUInt32BE(off);
      const o = (y * width + x) * 4;
      data[o] = (p & rMask) >>> shift(rMask);
      data[o + 1] = (p & gMask) >>> shift(gMask);
      data[o + 2] = (p & bMask) >>> shift(bMask);
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

export function writePng(img: Image): Buffer {
  return PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: img.data }));
}

// Small RGBA raster operations for `view` snapshots: the picture as the TV
// shows it, turned and fitted into the view. Nearest-neighbour is enough for
// a still meant to show what is on screen, and keeps this dependency-free.

export interface Raster {
  width: number;
  height: number;
  /** RGBA, row-major, 4 bytes a pixel. */
  data: Buffer;
}

/** Turns the picture: 90 = counter-clockwise (the spec's screen turned 90°), -90 = clockwise. */
export function rotate(src: Raster, deg: 0 | 90 | -90): Raster {
  if (deg === 0) return src;
  const { width: w, height: h } = src;
  const out = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Destination is h wide and w high.
      const dx = deg === 90 ? y : h - 1 - y;
      const dy = deg === 90 ? w - 1 - x : x;
      src.data.copy(out, (dy * h + dx) * 4, (y * w + x) * 4, (y * w + x) * 4 + 4);
    }
  }
  return { width: h, height: w, data: out };
}

/**
 * Places the picture in a view of width x height: `contain` scales the long
 * side to fit and leaves black bars; `fillCrop` fills the view and crops.
 */
export function fit(src: Raster, width: number, height: number, mode: 'contain' | 'fillCrop'): Raster {
  const sx = width / src.width;
  const sy = height / src.height;
  const scale = mode === 'contain' ? Math.min(sx, sy) : Math.max(sx, sy);
  const w = Math.round(src.width * scale);
  const h = Math.round(src.height * scale);
  const ox = Math.floor((width - w) / 2);
  const oy = Math.floor((height - h) / 2);
  const out = Buffer.alloc(width * height * 4);
  for (let i = 3; i < out.length; i += 4) out[i] = 255; // opaque black bars
  for (let y = Math.max(0, oy); y < Math.min(height, oy + h); y++) {
    const syy = Math.min(src.height - 1, Math.floor((y - oy) / scale));
    for (let x = Math.max(0, ox); x < Math.min(width, ox + w); x++) {
      const sxx = Math.min(src.width - 1, Math.floor((x - ox) / scale));
      src.data.copy(out, (y * width + x) * 4, (syy * src.width + sxx) * 4, (syy * src.width + sxx) * 4 + 4);
    }
  }
  return { width, height, data: out };
}

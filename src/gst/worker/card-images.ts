// The pictures of the TV's cards, rendered in the card process into RGBA:
// the idle card's background with the QR code that opens the phone remote
// already paired, the pairing corner and the band. Their words (src/tv/words.ts,
// put together in src/tv/screen.ts, prepared by src/tv/card-text.ts) are
// drawn by pango in gst-pipelines/idle.pipeline. The still card is the
// stream's last picture under the band of a drop (dimmed) or, where no mark
// can go over the stream, under the pause mark (as it is).
import QRCode from 'qrcode';

export const IDLE_WIDTH = 1280;
export const IDLE_HEIGHT = 720;

const BG = [0x0f, 0x1e, 0x36];
const PANEL = [0xff, 0xff, 0xff];
const INK = [0x00, 0x00, 0x00];
const ACCENT = [0x25, 0x63, 0xeb];

/** Where the QR code sits on a 1280x720 screen; the words stay left of it. Other screens scale it (qrBox). */
export const QR_BOX = { x: 780, y: 150, size: 440 };

/** The QR box on a screen of any size: the same place and share of the height as on 720p. */
export function qrBox(width: number, height: number): { x: number; y: number; size: number } {
  const k = height / IDLE_HEIGHT;
  return { x: Math.round(width - (IDLE_WIDTH - QR_BOX.x) * k), y: Math.round(QR_BOX.y * k), size: Math.round(QR_BOX.size * k) };
}

function fill(img: Buffer, w: number, x0: number, y0: number, x1: number, y1: number, c: number[]): void {
  for (let y = y0; y < y1; y++) {
    let o = (y * w + x0) * 4;
    for (let x = x0; x < x1; x++, o += 4) {
      img[o] = c[0]!;
      img[o + 1] = c[1]!;
      img[o + 2] = c[2]!;
      img[o + 3] = 255;
    }
  }
}

/**
 * The idle picture as RGBA (1280x720): background, an accent bar, and the QR
 * code of `qrText` in a white box with a quiet zone of at least 4 modules
 * (no code when there is nothing to pair with: the HTTP surface is off).
 * Called by the idle worker whenever the pairing address changes.
 */
export function renderIdleImage(qrText: string, width = IDLE_WIDTH, height = IDLE_HEIGHT): Buffer {
  const img = Buffer.alloc(width * height * 4);
  fill(img, width, 0, 0, width, height, BG);
  fill(img, width, 0, 0, width, Math.max(4, Math.round(height / 72)), ACCENT);
  if (qrText) drawQr(img, width, qrText, qrBox(width, height));
  return img;
}

/** The pairing card for a corner of the TV during a lesson: the QR code on the right, room for the words on its left. */
export function renderCornerImage(qrText: string, width: number, height: number): Buffer {
  const img = Buffer.alloc(width * height * 4);
  fill(img, width, 0, 0, width, height, BG);
  fill(img, width, 0, 0, width, Math.max(4, Math.round(height / 60)), ACCENT);
  // The QR code on the right, the words on the left (the title overlay).
  const size = Math.round(height * 0.82);
  drawQr(img, width, qrText, { x: width - size - Math.round(height * 0.06), y: Math.round((height - size) / 2), size });
  return img;
}

/** A band for words over the stream's frozen picture: the card's colour with the accent line at its foot. */
export function renderBandImage(width: number, height: number): Buffer {
  const img = Buffer.alloc(width * height * 4);
  fill(img, width, 0, 0, width, height, BG);
  const line = Math.max(3, Math.round(height / 24));
  fill(img, width, 0, height - line, width, height, ACCENT);
  return img;
}

/** How much of the stream's brightness the dimmed backdrop keeps. */
export const DIM = 0.35;

/**
 * The stream's last picture (a small copy from the media worker), scaled
 * up bilinearly to the screen and dimmed by `dim`, with a panel in the card's
 * colour at the top left (`band`: the full width for a drop, a small mark
 * while paused): what the TV shows where no card can be placed over the
 * stream. Dimmed, the soft upscale reads as a backdrop, and the words stand
 * out from any picture.
 */
export function renderStillImage(
  still: { width: number; height: number; rgba: Buffer },
  width: number,
  height: number,
  bandHeight: number,
  opts: { dim?: number; bandWidth?: number } = {},
): Buffer {
  const dim = opts.dim ?? DIM;
  const img = Buffer.alloc(width * height * 4);
  const { width: sw, height: sh, rgba } = still;
  if (sw < 2 || sh < 2 || rgba.length < sw * sh * 4) {
    fill(img, width, 0, 0, width, height, BG);
  } else {
    const kx = (sw - 1) / Math.max(1, width - 1);
    const ky = (sh - 1) / Math.max(1, height - 1);
    for (let y = 0; y < height; y++) {
      const fy = y * ky;
      const y0 = Math.floor(fy);
      const y1 = Math.min(sh - 1, y0 + 1);
      const wy = fy - y0;
      for (let x = 0; x < width; x++) {
        const fx = x * kx;
        const x0 = Math.floor(fx);
        const x1 = Math.min(sw - 1, x0 + 1);
        const wx = fx - x0;
        const a = (y0 * sw + x0) * 4;
        const b = (y0 * sw + x1) * 4;
        const c = (y1 * sw + x0) * 4;
        const d = (y1 * sw + x1) * 4;
        const o = (y * width + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const top = rgba[a + ch]! + (rgba[b + ch]! - rgba[a + ch]!) * wx;
          const bottom = rgba[c + ch]! + (rgba[d + ch]! - rgba[c + ch]!) * wx;
          img[o + ch] = Math.round((top + (bottom - top) * wy) * dim);
        }
        img[o + 3] = 255;
      }
    }
  }
  const band = Math.max(16, Math.min(height, bandHeight));
  const bandWidth = Math.max(16, Math.min(width, opts.bandWidth ?? width));
  fill(img, width, 0, 0, bandWidth, band, BG);
  const line = Math.max(3, Math.round(band / 24));
  fill(img, width, 0, band - line, bandWidth, band, ACCENT);
  return img;
}

function drawQr(img: Buffer, width: number, qrText: string, box: { x: number; y: number; size: number }): void {
  const qr = QRCode.create(qrText, { errorCorrectionLevel: 'M' });
  const n = qr.modules.size;
  // Whole pixels per module, 4 modules of quiet zone on each side inside the box.
  const scale = Math.max(1, Math.floor(box.size / (n + 8)));
  const side = (n + 8) * scale;
  const bx = box.x + Math.floor((box.size - side) / 2);
  const by = box.y + Math.floor((box.size - side) / 2);
  fill(img, width, bx, by, bx + side, by + side, PANEL);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) {
      if (!qr.modules.get(r, c)) continue;
      const x = bx + (c + 4) * scale;
      const y = by + (r + 4) * scale;
      fill(img, width, x, y, x + scale, y + scale, INK);
    }
  }
}

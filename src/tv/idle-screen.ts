// What the TV shows while nothing plays: a background with a QR code that
// opens the phone remote already paired (rendered here, in Node, into RGBA),
// and the words (device name, control address, status in Chinese and
// English), which pango draws in gst-pipelines/idle.pipeline.
import QRCode from 'qrcode';
import type { PlayerState } from '../player/state';
import { STATUS_CODES, isStatusCode } from '../player/status-codes';

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
 * code of `qrText` in a white box with a quiet zone of at least 4 modules.
 * Called by the idle worker whenever the pairing address changes.
 */
export function renderIdleImage(qrText: string, width = IDLE_WIDTH, height = IDLE_HEIGHT): Buffer {
  const img = Buffer.alloc(width * height * 4);
  fill(img, width, 0, 0, width, height, BG);
  fill(img, width, 0, 0, width, Math.max(4, Math.round(height / 72)), ACCENT);
  drawQr(img, width, qrText, qrBox(width, height));
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

/** Escapes text for pango markup (textoverlay parses its `text` as markup). */
export function pangoEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Breaks `s` into lines of at most `max` characters at spaces (Chinese: anywhere). */
export function wrap(s: string, max: number): string {
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/(\s+)/)) {
    if (/^\s+$/.test(word)) {
      if (line) line += ' ';
      continue;
    }
    let w = word;
    while ([...line + w].length > max) {
      if (line.trim()) {
        out.push(line.trimEnd());
        line = '';
        continue;
      }
      const chars = [...w];
      out.push(chars.slice(0, max).join(''));
      w = chars.slice(max).join('');
    }
    line += w;
  }
  if (line.trim()) out.push(line.trimEnd());
  return out.join('\n');
}

export interface IdleInfo {
  name: string;
  controlUrl: string;
  state: PlayerState;
  lastCode: number | null;
}

/** The status words in both languages for what the TV shows now. */
export function statusWords(state: PlayerState, lastCode: number | null): { en: string; zh: string } {
  if (lastCode === -2301) {
    return {
      en: "The stream stopped: reconnecting failed several times (-2301). Check the teacher's stream, then press Play on the phone.",
      zh: '直播中断：多次重连均失败（-2301）。请检查老师的直播推流，然后在手机上按“播放”。',
    };
  }
  if (state === 'error' && lastCode !== null && isStatusCode(lastCode)) {
    const w = STATUS_CODES[lastCode];
    return {
      en: `Could not play (${lastCode}): ${w.en}. Check the stream address, then press Play on the phone.`,
      zh: `无法播放（${lastCode}）：${w.zh}。请检查直播流地址，然后在手机上按“播放”。`,
    };
  }
  if (lastCode === 2006) {
    return { en: 'The lesson stream ended (2006). Press Play on the phone to watch again.', zh: '直播已结束（2006）。在手机上按“播放”可再次观看。' };
  }
  if (state === 'stopped') return { en: 'Stopped. Press Play on the phone to watch.', zh: '已停止。在手机上按“播放”即可观看。' };
  return { en: 'Ready. Scan the code with a phone to control this screen.', zh: '准备就绪。用手机扫描二维码即可遥控本屏幕。' };
}

/** The two texts (pango markup, escaped) for the title and status overlays. */
export function idleTexts(info: IdleInfo): { title: string; status: string } {
  const words = statusWords(info.state, info.lastCode);
  const title = `<span size="x-large">${pangoEscape(info.name)}</span>\n\n遥控地址 / Control address:\n${pangoEscape(info.controlUrl)}\n扫描右侧二维码遥控\nScan the code to use the remote`;
  const status = `${pangoEscape(wrap(words.zh, 26))}\n${pangoEscape(wrap(words.en, 48))}`;
  return { title, status };
}

// The TV's own resolution, so that the picture and every card fill it on a
// 720p, 1080p or 4K screen alike. Asked once at start: of the X server (the
// size of its first screen, read from the connection set-up reply, which
// needs no library and no extension), of the KMS connector that is
// connected (its preferred mode), else 1920x1080.
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface DisplaySize {
  width: number;
  height: number;
}

export const FALLBACK_SIZE: DisplaySize = { width: 1920, height: 1080 };

/** "WxH" as configuration writes it, or null. */
export function parseSize(text: string): DisplaySize | null {
  const m = /^(\d{2,4})x(\d{2,4})$/.exec(text);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/** The first screen's size from an X server's connection set-up reply (little-endian, as asked), or null. */
export function parseXSetupReply(b: Buffer): DisplaySize | null {
  if (b.length < 8 || b[0] !== 1) return null;
  const total = 8 + b.readUInt16LE(6) * 4;
  if (b.length < total || b.length < 40) return null;
  const vendorLen = b.readUInt16LE(24);
  const formats = b[29]!;
  const screen = 40 + Math.ceil(vendorLen / 4) * 4 + formats * 8;
  if (b.length < screen + 24) return null;
  const width = b.readUInt16LE(screen + 20);
  const height = b.readUInt16LE(screen + 22);
  return width > 0 && height > 0 ? { width, height } : null;
}

/** Asks the X server of `display` (":0", ":99.0") for its screen size; null when it cannot be reached in time. */
export function xScreenSize(display: string, timeoutMs = 1000): Promise<DisplaySize | null> {
  const m = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display);
  if (!m) return Promise.resolve(null);
  return new Promise((resolve) => {
    const sock = net.connect(path.join('/tmp/.X11-unix', `X${m[1]}`));
    let buf = Buffer.alloc(0);
    const done = (v: DisplaySize | null) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('connect', () => {
      // Byte order 'l', protocol 11.0, no authorisation (a local Xvfb or the TV's own server).
      const req = Buffer.alloc(12);
      req[0] = 0x6c;
      req.writeUInt16LE(11, 2);
      sock.write(req);
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 8 && buf[0] !== 1) return done(null);
      if (buf.length >= 8 && buf.length >= 8 + buf.readUInt16LE(6) * 4) done(parseXSetupReply(buf));
    });
  });
}

/** The preferred mode of the first connected KMS connector, or null. */
export function kmsModeSize(sysDrm = '/sys/class/drm'): DisplaySize | null {
  let entries: string[];
  try {
    entries = readdirSync(sysDrm).filter((e) => /^card\d+-/.test(e)).sort();
  } catch {
    return null;
  }
  for (const e of entries) {
    try {
      if (readFileSync(path.join(sysDrm, e, 'status'), 'utf8').trim() !== 'connected') continue;
      const mode = readFileSync(path.join(sysDrm, e, 'modes'), 'utf8').split('\n')[0]?.trim() ?? '';
      const size = parseSize(mode.replace(/[^0-9x].*$/, ''));
      if (size) return size;
    } catch {
      // a connector without modes: try the next
    }
  }
  return null;
}

/** The size the TV shows: the configured one, else the display's own, else 1920x1080. */
export async function displaySize(configured: string, sink: string, env: NodeJS.ProcessEnv = process.env): Promise<DisplaySize> {
  const fixed = parseSize(configured);
  if (fixed) return fixed;
  if ((sink === 'x' || sink === 'gl') && env.DISPLAY) return (await xScreenSize(env.DISPLAY)) ?? FALLBACK_SIZE;
  if (sink === 'kms') return kmsModeSize() ?? FALLBACK_SIZE;
  return FALLBACK_SIZE;
}

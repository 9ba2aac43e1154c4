// The TV as a person sees it: a private Xvfb screen, screenshots of its root
// window taken with ImageMagick's `import`, and the words on them read by
// tesseract (English and Simplified Chinese), as a person in the back row
// would read them.
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { sleep } from './time';

export interface Xvfb {
  display: string;
  width: number;
  height: number;
  stop(): Promise<void>;
}

/** Starts Xvfb at `width`x`height` on a display it picks itself (-displayfd), so parallel tests never collide. */
export async function startXvfb(width = 1920, height = 1080): Promise<Xvfb> {
  const proc = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  const display = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start in 10 s')), 10000);
    proc.stdio[3]!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(`:${out.trim()}`);
      }
    });
    proc.once('exit', (code) => reject(new Error(`Xvfb exited (${code})`)));
  });
  return {
    display,
    width,
    height,
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', reap);
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

export interface Weston {
  /** Environment for a Wayland client of this compositor (XDG_RUNTIME_DIR, WAYLAND_DISPLAY). */
  env: Record<string, string>;
  width: number;
  height: number;
  /** The output as weston renders it (weston-screenshooter; needs --debug). */
  screenshot(): Promise<Shot>;
  stop(): Promise<void>;
}

/**
 * Starts weston's headless backend (pixman renderer, desktop shell) at
 * `width`x`height` in a private runtime directory, so parallel tests never
 * share a socket. `--debug` lets weston-screenshooter read the output.
 */
export async function startWeston(width = 1920, height = 1080): Promise<Weston> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'weston-'));
  chmodSync(dir, 0o700);
  const env = { XDG_RUNTIME_DIR: dir, WAYLAND_DISPLAY: 'wl-test' };
  const proc = spawn('weston', ['--backend=headless-backend.so', '--socket=wl-test', `--width=${width}`, `--height=${height}`, '--use-pixman', '--debug', '--idle-time=0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  const end = Date.now() + 15000;
  while (!existsSync(path.join(dir, 'wl-test'))) {
    if (proc.exitCode !== null || Date.now() > end) throw new Error(`weston did not start: ${err}`);
    await sleep(100);
  }
  // The desktop shell draws its panel and background a moment after the socket is up.
  await sleep(1000);
  return {
    env,
    width,
    height,
    screenshot: () =>
      new Promise<Shot>((resolve, reject) => {
        const shots = mkdtempSync(path.join(os.tmpdir(), 'weston-shot-'));
        execFile('weston-screenshooter', [], { cwd: shots, env: { ...process.env, ...env } }, (e) => {
          const file = readdirSync(shots).find((f) => f.endsWith('.png'));
          if (e || !file) {
            rmSync(shots, { recursive: true, force: true });
            return reject(e ?? new Error('weston-screenshooter wrote no file'));
          }
          const png = readFileSync(path.join(shots, file));
          rmSync(shots, { recursive: true, force: true });
          const img = PNG.sync.read(png);
          resolve({ png, width: img.width, height: img.height, data: img.data });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        process.removeListener('exit', reap);
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (proc.exitCode !== null) return done();
        proc.once('exit', done);
        proc.kill('SIGTERM');
      }),
  };
}

export interface Shot {
  png: Buffer;
  width: number;
  height: number;
  /** RGBA */
  data: Buffer;
}

/** A screenshot of the whole screen (`import -window root`). */
export async function screenshot(display: string): Promise<Shot> {
  const out = await grab('import', ['-display', display, '-window', 'root', 'png:-']);
  const img = PNG.sync.read(out);
  return { png: out, width: img.width, height: img.height, data: img.data };
}

/**
 * Runs a screen grabber, again if it fails. Both `xwd -root` and
 * `import -window root` walk the window tree to find each window's visual;
 * a window the TV destroys during that walk (the sink's or the card's, at a
 * state change) is an X BadWindow error and the tool exits 1. That is the
 * grabber's race, not something the screen shows, so it is tried again;
 * three failures in a row are reported with what the tool printed.
 */
export async function grab(cmd: string, args: string[], tries = 3): Promise<Buffer> {
  let last: Error | undefined;
  for (let i = 0; i < tries; i++) {
    try {
      return await new Promise<Buffer>((resolve, reject) =>
        execFile(cmd, args, { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, out, stderr) =>
          err ? reject(new Error(`${cmd} ${args.join(' ')}: ${err.message.split('\n')[0]} ${stderr.toString().trim()}`)) : resolve(out),
        ),
      );
    } catch (err) {
      last = err as Error;
    }
  }
  throw last;
}

/**
 * Screenshots as fast as the X server gives them (xwd, no encoding: about
 * 0.1 s each), for `ms` from now, each with the time it was asked for.
 * Read later with `ocr(shot.xwd, lang, 'xwd')`.
 */
export async function burst(display: string, ms: number): Promise<{ at: number; xwd: Buffer }[]> {
  const shots: { at: number; xwd: Buffer }[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const at = performance.now();
    const xwd = await grab('xwd', ['-root', '-display', display, '-silent']);
    shots.push({ at, xwd });
  }
  return shots;
}

/** The pixels of an xwd grab (its header and colormap hold bytes that change from grab to grab). */
export function xwdPixels(xwd: Buffer): Buffer {
  const height = xwd.readUInt32BE(20);
  const bytesPerLine = xwd.readUInt32BE(48);
  return xwd.subarray(xwd.length - height * bytesPerLine);
}

/** A grab from `burst` as a Shot (PNG and pixels). */
export function shotFromXwd(xwd: Buffer): Promise<Shot> {
  return new Promise((resolve, reject) => {
    const p = execFile('convert', ['xwd:-', 'png:-'], { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, out) => {
      if (err) return reject(err);
      const img = PNG.sync.read(out);
      resolve({ png: out, width: img.width, height: img.height, data: img.data });
    });
    p.stdin!.end(xwd);
  });
}

/** Share of pixels that are not black (any channel above 24), sampled on a grid. */
export function litShare(s: Shot, step = 8): number {
  let lit = 0;
  let n = 0;
  for (let y = 0; y < s.height; y += step) {
    for (let x = 0; x < s.width; x += step) {
      const o = (y * s.width + x) * 4;
      n++;
      if (s.data[o]! > 24 || s.data[o + 1]! > 24 || s.data[o + 2]! > 24) lit++;
    }
  }
  return lit / n;
}

/** Mean luma (BT.601, 0-255) of the screen below `fromShare` of its height, sampled on a grid. */
export function meanLuma(s: Shot, fromShare = 0, step = 8): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(s.height * fromShare); y < s.height; y += step) {
    for (let x = 0; x < s.width; x += step) {
      const o = (y * s.width + x) * 4;
      sum += 0.299 * s.data[o]! + 0.587 * s.data[o + 1]! + 0.114 * s.data[o + 2]!;
      n++;
    }
  }
  return n ? sum / n : 0;
}

type OcrLang = 'eng' | 'chi_sim';

interface OcrRun {
  lang: OcrLang;
  /** How the picture is stored ("png", or "xwd" from `burst`). */
  format: 'png' | 'xwd';
  /** Only this share of the picture, from the corner `gravity` names (ImageMagick's; none: the top left). */
  crop?: { width: number; height: number; gravity?: 'SouthWest' };
  /** Scaled by this after the colours are prepared (none: as it is). */
  scale?: number;
  /** tesseract's page segmentation: 11 sparse words anywhere, 6 one block of text. */
  psm: 6 | 11;
  /** tesseract's output: plain text, or a TSV with each word's box. */
  output: 'text' | 'tsv';
}

/**
 * tesseract's raw output for a picture. The picture is turned to grey and
 * inverted first (light words on a dark card read far better as dark on
 * light). Only the colour channels are negated: ImageMagick 7 (Debian 13)
 * negates alpha too by default, which turns an opaque RGBA picture fully
 * transparent; ImageMagick 6 (Debian 12) gives the same pixels as without
 * -channel.
 */
function runOcr(img: Buffer, o: OcrRun): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ocr-'));
  const file = path.join(dir, `in.${o.format}`);
  writeFileSync(file, img);
  const prepared = path.join(dir, 'prep.png');
  const crop = o.crop
    ? [...(o.crop.gravity ? ['-gravity', o.crop.gravity] : []), '-crop', `${Math.round(o.crop.width * 100)}%x${Math.round(o.crop.height * 100)}%+0+0`, '+repage']
    : [];
  const scale = o.scale !== undefined ? ['-resize', `${Math.round(o.scale * 100)}%`] : [];
  return new Promise<string>((resolve, reject) => {
    execFile('convert', [`${o.format}:${file}`, ...crop, '-colorspace', 'Gray', '-channel', 'RGB', '-negate', '+channel', ...scale, prepared], (err) => {
      if (err) {
        rmSync(dir, { recursive: true, force: true });
        return reject(err);
      }
      execFile('tesseract', [prepared, 'stdout', '-l', o.lang, '--psm', String(o.psm), ...(o.output === 'tsv' ? ['tsv'] : [])], { maxBuffer: 8 << 20 }, (err2, out) => {
        rmSync(dir, { recursive: true, force: true });
        if (err2) return reject(err2);
        resolve(out);
      });
    });
  });
}

/** tesseract's text as one line: spaces removed for Chinese, where tesseract puts them between characters. */
function oneLine(out: string, lang: OcrLang): string {
  return lang === 'chi_sim' ? out.replace(/[ \t]+/g, '') : out.replace(/\s+/g, ' ');
}

/**
 * The words on a screenshot, read by tesseract in `lang` ("eng", "chi_sim")
 * as sparse text, at 75 % of the screen's size.
 * Spaces are removed for Chinese, where tesseract puts them between characters.
 */
export function ocr(png: Buffer, lang: OcrLang, format: 'png' | 'xwd' = 'png', topLeft?: { width: number; height: number }): Promise<string> {
  // topLeft: only that share of the screen (a mark or band over a busy picture reads better alone).
  return runOcr(png, { lang, format, crop: topLeft, scale: 0.75, psm: 11, output: 'text' }).then((out) => oneLine(out, lang));
}

/**
 * The status lines of a card (the bottom left, where the idle card says what
 * happens) read as one block of text. Over the whole screen, the QR code and
 * the picture's edges confuse tesseract's sparse-text mode on Chinese in
 * WenQuanYi Micro Hei (the image's font): 3 of 5 failure cards misread in
 * the image, 0 of 5 read this way.
 */
export function ocrStatus(png: Buffer, lang: OcrLang, format: 'png' | 'xwd' = 'png'): Promise<string> {
  return runOcr(png, { lang, format, crop: { width: 0.6, height: 0.5, gravity: 'SouthWest' }, psm: 6, output: 'text' }).then((out) => oneLine(out, lang));
}

/** Keeps a screenshot for people to look at (docs/screenshots) and for CI artifacts. */
export function keepShot(png: Buffer, name: string, dir = path.resolve(__dirname, '../../..', 'artifacts', 'screenshots')): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, name);
  writeFileSync(f, png);
  return f;
}

/** Reads a PNG file into a Shot. */
export function readShot(file: string): Shot {
  const png = readFileSync(file);
  const img = PNG.sync.read(png);
  return { png, width: img.width, height: img.height, data: img.data };
}

export interface OcrWord {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The words tesseract finds, with their boxes in the screenshot's pixels (for text sizes). */
export async function ocrWords(png: Buffer, lang: OcrLang): Promise<OcrWord[]> {
  const out = await runOcr(png, { lang, format: 'png', psm: 11, output: 'tsv' });
  const words: OcrWord[] = [];
  for (const line of out.split('\n').slice(1)) {
    const f = line.split('\t');
    if (f.length < 12 || !f[11]!.trim() || Number(f[10]) < 50) continue;
    words.push({ text: f[11]!.trim(), x: Number(f[6]), y: Number(f[7]), width: Number(f[8]), height: Number(f[9]) });
  }
  return words;
}

/** Reads the screen (`shoot`) until `re` is on it, or `ms` pass; the last shot and its words. */
export async function readUntil(shoot: () => Promise<Shot>, re: RegExp, topLeft?: { width: number; height: number }, ms = 15000): Promise<{ shot: Shot; text: string }> {
  const end = Date.now() + ms;
  let shot = await shoot();
  let text = await ocr(shot.png, 'eng', 'png', topLeft);
  while (!re.test(text) && Date.now() < end) {
    await sleep(300);
    shot = await shoot();
    text = await ocr(shot.png, 'eng', 'png', topLeft);
  }
  return { shot, text };
}

/** What the QR code on a screenshot says (read by jsQR, an independent decoder), or null. */
export function qrIn(s: Pick<Shot, 'width' | 'height' | 'data'>): string | null {
  return jsQR(new Uint8ClampedArray(s.data.buffer, s.data.byteOffset, s.data.length), s.width, s.height)?.data ?? null;
}

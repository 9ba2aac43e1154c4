// An independent clock for live-delay tests: the publisher burns its frame
// number into the picture as a 16-bit bar code (16x16 px black/white squares
// in the top-left corner), and `ffmpeg -re` publishes frame N at FLV time
// N * 1000 / fps. A separate reader straight on the server gives the wall
// time at which stream time T is live (T plus the smallest transit it ever
// sees), so a snapshot of what the daemon renders, decoded to N, says how far
// behind the live edge the picture is without using any figure of the daemon.
import { PNG } from 'pngjs';
import { spawnManaged, type Managed } from './media-servers';
import { collect, type Collector } from './tag-collector';

const BITS = 16;
const SQUARE = 16;

/** Publishes a 640x360 test pattern with the bar code (and a tone) to `rtmpUrl` in real time. */
export function startBarcodePublisher(rtmpUrl: string, o: { fps?: number; gopSeconds?: number; kbps?: number } = {}): Managed {
  const fps = o.fps ?? 25;
  const gop = String(Math.round(fps * (o.gopSeconds ?? 1)));
  const v = `${o.kbps ?? 800}k`;
  const bar = `color=c=black:s=${BITS * SQUARE}x${SQUARE}:r=${fps},format=yuv420p,geq=lum='255*mod(floor(N/pow(2,floor(X/${SQUARE}))),2)':cb=128:cr=128`;
  const graph = `testsrc2=size=640x360:rate=${fps}[bg];${bar}[bar];[bg][bar]overlay=0:0[out0]`;
  return spawnManaged('ffmpeg', [
    '-hide_banner', '-nostdin', '-loglevel', 'error',
    '-re', '-f', 'lavfi', '-i', graph,
    '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p',
    '-g', gop, '-keyint_min', gop, '-sc_threshold', '0', '-b:v', v, '-maxrate', v, '-bufsize', v,
    '-c:a', 'aac', '-b:a', '64k', '-f', 'flv', rtmpUrl,
  ]);
}

/** The frame number in a PNG snapshot at source resolution (RGBA), or null when the squares are not clearly black or white. */
export function frameNumber(png: Buffer): number | null {
  const img = PNG.sync.read(png);
  let n = 0;
  for (let b = 0; b < BITS; b++) {
    const i = ((SQUARE / 2) * img.width + b * SQUARE + SQUARE / 2) * 4;
    const luma = (img.data[i]! + img.data[i + 1]! + img.data[i + 2]!) / 3;
    if (luma > 80 && luma < 176) return null;
    if (luma >= 176) n |= 1 << b;
  }
  return n;
}

export interface EdgeClock {
  /** ms on the collector's clock (collector.now()) at which stream time `ts` was live. */
  liveAt(ts: number): number;
  now(): number;
  /** Video frames seen so far. */
  frames(): number;
  stop(): void;
}

/** Reads `url` directly from the server and keeps the smallest transit of its video frames. */
export function startEdgeClock(url: string): EdgeClock {
  const c: Collector = collect(url);
  const minTransit = (): number => {
    let m = Infinity;
    for (const a of c.tags) if (a.tag.type === 9) m = Math.min(m, a.at - a.tag.timestamp);
    return m;
  };
  return {
    liveAt: (ts) => ts + minTransit(),
    now: () => c.now(),
    frames: () => c.tags.filter((a) => a.tag.type === 9).length,
    stop: () => c.stop(),
  };
}

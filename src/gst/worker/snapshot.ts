// Captures the next frame and writes it as PNG (raw, lossless) or JPEG
// (compressed) into the snapshot folder: `stream` from the `snap` branch (the
// decoded frame at source size), `view` from the `viewsnap` branch, which
// takes the picture after the turn, crop and scale that the sink gets, so a
// snapshot and the screen cannot disagree. A valve is open only for the capture. When no
// frame is decoded meanwhile (reconnecting, paused), the picture the sink
// still shows is used for both kinds (the picture as rendered).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { SnapshotResult } from '../../player/engine';
import type { ToWorker } from '../protocol';
import { lastShownFrame, type Raster } from './last-frame';
import type { GstPipeline } from './binding';

type Req = Extract<ToWorker, { t: 'snapshot' }>['req'];

/** Any stream of 1 fps or more decodes a frame within this; longer means nothing is being decoded. */
const CAPTURE_TIMEOUT_MS = 1000;


function capture(pipeline: GstPipeline, branch: { valve: string; sink: string }): Promise<Raster> {
  const valve = pipeline.findChild(branch.valve);
  const sink = pipeline.findChild(branch.sink);
  if (!valve || !sink?.pull) return Promise.reject(new Error('pipeline has no snapshot branch'));
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      valve.drop = true;
      fn();
    };
    const timer = setTimeout(
      () =>
        finish(() => {
          try {
            resolve(lastShownFrame(pipeline));
          } catch (err) {
            reject(new Error(`no frame arrived to capture and ${(err as Error).message}`));
          }
        }),
      CAPTURE_TIMEOUT_MS,
    );
    // The valve is closed from JS after a pull returns, so a frame or two slip
    // past it meanwhile and the appsink keeps the last: the first pull of the
    // next capture would return that old frame (measured: 1.3-2.4 s old, a
    // whole snapshot interval). Skip one; the next was decoded after opening.
    let stale = true;
    const onFrame = (buf: Buffer | null, caps: Record<string, unknown>): void => {
      if (done) return;
      if (stale) {
        stale = false;
        sink.pull!(onFrame);
        return;
      }
      finish(() => {
        const width = Number(caps.width);
        const height = Number(caps.height);
        if (!buf || !width || !height || buf.length < width * height * 4) return reject(new Error('capture returned no picture'));
        resolve({ width, height, data: Buffer.from(buf.subarray(0, width * height * 4)) });
      });
    };
    valve.drop = false;
    sink.pull!(onFrame);
  });
}

export async function takeSnapshot(pipeline: GstPipeline, req: Req, dir: string): Promise<SnapshotResult> {
  const img = await capture(pipeline, req.sourceType === 'view' ? { valve: 'viewvalve', sink: 'viewsnap' } : { valve: 'snapvalve', sink: 'snap' });
  const ext = req.quality === 'raw' ? 'png' : 'jpg';
  const bytes =
    ext === 'png'
      ? PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: img.data }))
      : jpeg.encode({ width: img.width, height: img.height, data: img.data }, 85).data;
  const file = await writeSnapshotFile(dir, ext, bytes);
  return { path: file, width: img.width, height: img.height };
}

/** Writes one snapshot file (named by time, so the newest sort last) and prunes the folder; a failed write leaves no file. */
export async function writeSnapshotFile(dir: string, ext: 'png' | 'jpg', bytes: Uint8Array): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.${ext}`);
  try {
    await fs.writeFile(file, bytes, { mode: 0o640 });
  } catch (err) {
    // A full disk leaves a 0-byte or cut file behind: never keep one.
    await fs.rm(file, { force: true });
    throw err;
  }
  await keepNewest(dir);
  return file;
}

/** How many snapshot files the folder keeps: a phone page that snaps every second must not fill the SD card. */
export const SNAPSHOTS_KEPT = 50;

/**
 * Deletes all but the `keep` newest snapshots (names start with the time in
 * base 36, so they sort by age) and returns the names deleted. Files that
 * are not snapshots are left alone.
 */
export async function keepNewest(dir: string, keep = SNAPSHOTS_KEPT): Promise<string[]> {
  const names = (await fs.readdir(dir)).filter((n) => SNAPSHOT_NAME.test(n)).sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  await Promise.all(old.map((n) => fs.rm(path.join(dir, n), { force: true })));
  return old;
}

const SNAPSHOT_NAME = /^[a-z0-9]+-[0-9a-f]{8}\.(png|jpg)$/;

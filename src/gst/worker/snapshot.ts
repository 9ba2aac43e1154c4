// Captures the next frame and writes it as PNG (raw, lossless) or JPEG
// (compressed) into the snapshot folder: `stream` from the `snap` branch (the
// decoded frame at source size), `view` from the `viewsnap` branch, which
// takes the picture after the turn, crop and scale that the sink gets, so a
// snapshot and the screen cannot disagree. A valve is open only for the capture. When no
// frame is decoded meanwhile (reconnecting, paused), the picture the sink
// still shows is used: for `view` as it is (with the TV's words when they
// are on the screen), for `stream` the stream's last picture under them.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { SnapshotResult } from '../../player/engine';
import type { ToWorker } from '../protocol';
import { lastSampleRaster, type Raster } from './last-frame';
import type { GstElement, GstPipeline } from './binding';

type Req = Extract<ToWorker, { t: 'snapshot' }>['req'];

/** Any stream of 1 fps or more decodes a frame within this; longer means nothing is being decoded. */
const CAPTURE_TIMEOUT_MS = 1000;
/** How often a capture looks at its appsink. */
const POLL_MS = 20;

const renderedBy = (sink: GstElement): number => Number(/rendered=\(guint64\)(\d+)/.exec(String(sink.stats ?? ''))?.[1] ?? 0);

// The branch's appsink is read through its `last-sample` once it has taken
// two frames since the valve opened (the first may have been on its way
// before), never with a blocking pull: a pull waits in one of libuv's four
// pool threads until a frame comes, and a capture given up (nothing
// decoded: paused, reconnecting, a loaded machine) left its pull waiting
// there, with file writes and the next pulls queued behind it.
function capture(pipeline: GstPipeline, branch: { valve: string; sink: string }, shown: () => GstElement | null): Promise<Raster> {
  const valve = pipeline.findChild(branch.valve);
  const sink = pipeline.findChild(branch.sink);
  if (!valve || !sink) return Promise.reject(new Error('pipeline has no snapshot branch'));
  return new Promise((resolve, reject) => {
    const from = renderedBy(sink);
    const t0 = performance.now();
    valve.drop = false;
    const poll = setInterval(() => {
      const fresh = renderedBy(sink) >= from + 2;
      if (!fresh && performance.now() - t0 < CAPTURE_TIMEOUT_MS) return;
      clearInterval(poll);
      valve.drop = true;
      if (!fresh) {
        try {
          resolve(lastSampleRaster(shown()));
        } catch (err) {
          reject(new Error(`no frame arrived to capture and ${(err as Error).message}`));
        }
        return;
      }
      try {
        resolve(lastSampleRaster(sink));
      } catch (err) {
        reject(new Error(`capture returned no picture: ${(err as Error).message}`));
      }
    }, POLL_MS);
  });
}

/**
 * @param streamPicture where the stream's last picture is read when no
 *   frame comes (the sink, or what it showed before the TV's words).
 */
export async function takeSnapshot(pipeline: GstPipeline, req: Req, dir: string, streamPicture: () => GstElement | null = () => pipeline.findChild('vsink')): Promise<SnapshotResult> {
  const view = req.sourceType === 'view';
  const img = await capture(pipeline, view ? { valve: 'viewvalve', sink: 'viewsnap' } : { valve: 'snapvalve', sink: 'snap' }, view ? () => pipeline.findChild('vsink') : streamPicture);
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

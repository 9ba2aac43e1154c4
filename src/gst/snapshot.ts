// Captures the next decoded frame through the pipeline's `snap` branch and
// writes it as PNG (raw, lossless) or JPEG (compressed) into the snapshot
// folder. The valve is open only for the capture.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import jpeg from 'jpeg-js';
import type { SnapshotResult } from '../player/engine';
import type { ToWorker } from './ipc';
import { fit, rotate, type Raster } from './raster';
import type { GstPipeline } from './worker-session';

type Req = Extract<ToWorker, { t: 'snapshot' }>['req'];

const CAPTURE_TIMEOUT_MS = 3000;

function capture(pipeline: GstPipeline): Promise<Raster> {
  const valve = pipeline.findChild('snapvalve');
  const sink = pipeline.findChild('snap');
  if (!valve || !sink?.pull) return Promise.reject(new Error('pipeline has no snapshot branch'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      valve.drop = true;
      reject(new Error('no frame arrived to capture'));
    }, CAPTURE_TIMEOUT_MS);
    valve.drop = false;
    // The valve is closed from JS after a pull returns, and frames pass in
    // the meantime: the appsink keeps the newest (max-buffers=1), so the
    // first pull of the next capture would answer at once with a frame as old
    // as the time between the two captures (measured: 1.3 s stale with
    // snapshots 1.3 s apart). The second pull is always a frame decoded after
    // the valve opened; it costs one frame interval.
    sink.pull!(() => sink.pull!((buf, caps) => {
      valve.drop = true;
      clearTimeout(timer);
      const width = Number(caps.width);
      const height = Number(caps.height);
      if (!buf || !width || !height || buf.length < width * height * 4) return reject(new Error('capture returned no picture'));
      resolve({ width, height, data: Buffer.from(buf.subarray(0, width * height * 4)) });
    }));
  });
}

export async function takeSnapshot(pipeline: GstPipeline, req: Req, dir: string): Promise<SnapshotResult> {
  let img = await capture(pipeline);
  if (req.sourceType === 'view' && req.view) img = fit(rotate(img, req.view.rotate), req.view.width, req.view.height, req.view.fit);
  const ext = req.quality === 'raw' ? 'png' : 'jpg';
  const bytes =
    ext === 'png'
      ? PNG.sync.write(Object.assign(new PNG({ width: img.width, height: img.height }), { data: img.data }))
      : jpeg.encode({ width: img.width, height: img.height, data: img.data }, 85).data;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}.${ext}`);
  await fs.writeFile(file, bytes, { mode: 0o640 });
  return { path: file, width: img.width, height: img.height };
}

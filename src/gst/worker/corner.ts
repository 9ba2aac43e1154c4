// The TV's pairing card drawn inside the media pipeline (`gdkpixbufoverlay
// name=corner`, see gst-pipelines/live.pipeline), for the sinks where no
// card window can go over the stream: KMS holds the display for one
// process, a Wayland client cannot place a window, and a fake sink has no
// window at all (its `view` snapshots then show the card as well).
import { unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Size } from '../../player/view';
import type { GstPipeline } from './binding';

interface Sample {
  caps?: { width?: unknown };
}

/**
 * Shows `png` (drawn for a screen of `screen`'s size) at the top left of the
 * picture, scaled to the frames the element sees, or takes it away (null).
 */
export function showCorner(pipeline: GstPipeline, png: string | null, screen: Size): void {
  const el = pipeline.findChild('corner');
  if (!el) return;
  if (png === null) {
    // No composition at alpha 0: the element passes frames through again.
    el.alpha = 0;
    return;
  }
  const bytes = Buffer.from(png, 'base64');
  const file = path.join(os.tmpdir(), `liveplayerd-corner-${process.pid}.png`);
  writeFileSync(file, bytes);
  try {
    // The element reads the file when the property is set: it can go at once.
    el.location = file;
  } finally {
    unlinkSync(file);
  }
  // A fake sink gets the picture at the stream's fitted size, not the
  // screen's: the card keeps its share of the frame.
  const frameWidth = Number((pipeline.findChild('vsink')?.['last-sample'] as Sample | null | undefined)?.caps?.width);
  const scale = frameWidth > 0 && frameWidth !== screen.width ? frameWidth / screen.width : 1;
  const w = bytes.readUInt32BE(16);
  const h = bytes.readUInt32BE(20);
  el['overlay-width'] = scale === 1 ? 0 : Math.max(1, Math.round(w * scale));
  el['overlay-height'] = scale === 1 ? 0 : Math.max(1, Math.round(h * scale));
  el.alpha = 1;
}

// Which GStreamer element factories this board has. Asked of the plugin
// registry through gst-inspect-1.0 once at start: instantiating a missing
// element through the binding prints GLib criticals instead of answering.
import { execFile } from 'node:child_process';

/** Factories the decoder and sink choices depend on. */
export const PROBED_FACTORIES = ['v4l2h264dec', 'omxh264dec', 'avdec_h264', 'kmssink', 'glimagesink', 'ximagesink', 'waylandsink', 'alsasink', 'pulsesink', 'v4l2convert'];

function exists(factory: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('gst-inspect-1.0', ['--exists', factory], { timeout: 10_000 }, (err) => resolve(!err));
  });
}

export async function probeFactories(factories: readonly string[] = PROBED_FACTORIES): Promise<Set<string>> {
  const found = await Promise.all(factories.map(async (f) => ((await exists(f)) ? f : null)));
  return new Set(found.filter((f): f is string => f !== null));
}

/** The GStreamer version string ("1.22.0") as gst-inspect-1.0 reports it, or "unknown"; for liveplayer_build_info. */
export function gstreamerVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('gst-inspect-1.0', ['--version'], { timeout: 10_000 }, (err, stdout) => {
      resolve((!err && /GStreamer (\d+\.\d+\.\d+)/.exec(String(stdout))?.[1]) || 'unknown');
    });
  });
}

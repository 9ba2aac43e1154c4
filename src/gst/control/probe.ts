// Which GStreamer element factories this board has. Asked of the plugin
// registry through gst-inspect-1.0 once at start: instantiating a missing
// element through the binding prints GLib criticals instead of answering.
//
// One gst-inspect-1.0 run lists every feature of every plugin, so a cold
// registry (first start, or after a plugin package changed) is scanned once
// by one process rather than by one process per factory at the same time;
// on an SD card that scan can take tens of seconds. A run that times out or
// fails is tried again with a longer deadline before the factories are
// asked one by one, so a slow first start cannot leave the daemon believing
// it has no decoder.
import { execFile } from 'node:child_process';

/** Factories the decoder and sink choices depend on. */
export const PROBED_FACTORIES = ['v4l2h264dec', 'omxh264dec', 'avdec_h264', 'kmssink', 'glimagesink', 'ximagesink', 'waylandsink', 'alsasink', 'pulsesink', 'v4l2convert'];

export interface ProbeOptions {
  /** Deadlines of the successive full listings, in ms. */
  deadlinesMs?: readonly number[];
  /** Deadline of each per-factory question asked after the listings failed. */
  existsDeadlineMs?: number;
  command?: string;
  env?: NodeJS.ProcessEnv;
}

const DEFAULTS = { deadlinesMs: [30_000, 120_000], existsDeadlineMs: 30_000, command: 'gst-inspect-1.0' };

function run(command: string, args: string[], timeout: number, env: NodeJS.ProcessEnv | undefined): Promise<{ ok: boolean; out: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout, env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (err, out) => resolve({ ok: !err, out: out ?? '' }));
  });
}

/** Feature names in gst-inspect-1.0's listing ("plugin:  factory: description"). */
export function parseListing(out: string): Set<string> {
  const names = new Set<string>();
  for (const m of out.matchAll(/^[^\s:]+:\s+([^\s:]+):\s/gm)) names.add(m[1]!);
  return names;
}

export async function probeFactories(factories: readonly string[] = PROBED_FACTORIES, opts: ProbeOptions = {}): Promise<Set<string>> {
  const { deadlinesMs, existsDeadlineMs, command } = { ...DEFAULTS, ...opts };
  for (const deadline of deadlinesMs) {
    const listing = await run(command, [], deadline, opts.env);
    const names = parseListing(listing.out);
    // A listing cut short by the deadline is not trusted: a missing name
    // might only be further down.
    if (listing.ok && names.size > 0) return new Set(factories.filter((f) => names.has(f)));
  }
  const found = new Set<string>();
  for (const f of factories) if ((await run(command, ['--exists', f], existsDeadlineMs, opts.env)).ok) found.add(f);
  return found;
}

/** The GStreamer version string ("1.22.0") as gst-inspect-1.0 reports it, or "unknown"; for liveplayer_build_info. */
export function gstreamerVersion(): Promise<string> {
  return new Promise((resolve) => {
    execFile('gst-inspect-1.0', ['--version'], { timeout: 10_000 }, (err, stdout) => {
      resolve((!err && /GStreamer (\d+\.\d+\.\d+)/.exec(String(stdout))?.[1]) || 'unknown');
    });
  });
}

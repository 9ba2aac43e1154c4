// Runs a script that loads the real gstreamer-superficial in a child
// process (the test runner itself must not: the binding's parked threads can
// hang its exit) and returns the one number the script prints.
import { execFileSync } from 'node:child_process';

export function bindingProbe(script: string): number {
  const out = bindingProbeText(script);
  const n = Number(out);
  if (!out || !Number.isFinite(n)) throw new Error(`probe printed ${JSON.stringify(out)}`);
  return n;
}

/** The same, for a script that prints a word. */
export function bindingProbeText(script: string): string {
  let out = '';
  try {
    // Without the runner's NODE_OPTIONS hooks, which allocate on their own.
    out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000, env: { ...process.env, NODE_OPTIONS: '' } });
  } catch (e) {
    // The probe ends itself with SIGKILL (no exit hooks on the binding's threads); stdout is still there.
    out = String((e as { stdout?: string }).stdout ?? '');
  }
  return out;
}

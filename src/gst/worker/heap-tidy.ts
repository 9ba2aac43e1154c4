// A playing worker's JavaScript (the reader, the muxer, the bus relay) keeps
// about 6 MiB alive, but what it throws away and what outlives a young
// collection (a frame's Buffers while a message spreads over reads, the
// live-delay queue) lands in the old generation, which V8 collects only as
// it nears a limit it sets from the heap's size. Until then that garbage is
// resident: the worker's anonymous memory climbed 6-16 MiB an hour in steps
// and never came back within a 20-60 min run, while the same pipeline in
// gst-launch stayed flat (bench/results/growth-allocators-25min.md). A full
// collection every minute holds it flat (bench/results/growth-gc60-20min.md)
// for a few milliseconds of the main thread, which the pipeline's queues
// cover.

export const TIDY_EVERY_MS = 60_000;
/** Test hook only: a shorter interval, so a test sees a playing worker's collections. */
export const TIDY_ENV = 'LIVEPLAYER_TEST_WORKER_TIDY_MS';

export function tidyEveryMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[TIDY_ENV]);
  return Number.isFinite(v) && v > 0 ? v : TIDY_EVERY_MS;
}

/** The collector when the runtime exposes it (--expose-gc), else null: then V8 alone decides. */
export function exposedGc(): (() => void) | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === 'function' ? gc : null;
}

/** Runs a full collection every `everyMs`; returns the stop function. `onTidy` gets each one's duration. */
export function tidyHeap(gc: () => void, everyMs = TIDY_EVERY_MS, onTidy?: (ms: number) => void): () => void {
  const timer = setInterval(() => {
    const t0 = performance.now();
    gc();
    onTidy?.(performance.now() - t0);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

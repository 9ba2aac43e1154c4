// The last line against memory growth in a media worker: whatever a stream
// or a decoder does, a worker whose resident size passes the bound ends
// itself, saying why first; the daemon sees a crashed session and the player
// starts a fresh one through its reconnect policy (2103). A playing worker
// stays far below it (docs/limits.md has the figures).

/**
 * Default bound in MiB: a playing 1080p worker peaks near 150 MiB and a
 * full-screen snapshot adds about 50 (docs/limits.md).
 */
export const WORKER_RSS_LIMIT_MIB = 300;
/** Test hook only: a lower bound, so a test can cross it without a real flood. */
export const WORKER_RSS_LIMIT_ENV = 'LIVEPLAYER_TEST_WORKER_RSS_MIB';
const CHECK_MS = 250;

export function workerRssLimitMiB(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env[WORKER_RSS_LIMIT_ENV]);
  return Number.isFinite(v) && v > 0 ? v : WORKER_RSS_LIMIT_MIB;
}

/** Checks the resident size every 250 ms; calls `over` once when it passes `limitMiB`. Returns the stop function. */
export function watchMemory(limitMiB: number, over: (rssMiB: number) => void, rss: () => number = () => process.memoryUsage.rss()): () => void {
  const timer = setInterval(() => {
    const mib = rss() / (1024 * 1024);
    if (mib <= limitMiB) return;
    clearInterval(timer);
    over(mib);
  }, CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}

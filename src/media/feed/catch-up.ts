// How each mode treats the buffer, and when the player skips ahead to the
// live edge. Pure: the worker feeds it the measured live delay once per tick
// and carries out what it decides (see FeedGate.skipTo).
//
// live: minCache is a floor. The pipeline's latency is set to minCache, so
// every frame is shown minCache after its place on the clock and that much
// media is always queued to ride out uneven arrival; the first frame still
// shows at once (it is the preroll frame). maxCache is a ceiling: a delay
// above it for two ticks in a row is cut back to `target`, a quarter of the
// way up the window, so a second burst has room before the next cut.
// RTC: no added latency, and the ceiling is the spec's RTC recommendation
// (0.8 s) unless maxCache is lower.

export type Variant = 'live' | 'rtc';

export interface CachePolicy {
  /** Fixed pipeline latency in ms (0: GStreamer's own, the lowest). */
  latencyMs: number;
  /** Delay above which the player catches up. */
  ceilingMs: number;
  /** Delay the catch-up aims for. */
  targetMs: number;
}

const RTC_CEILING_MS = 800;
const RTC_TARGET_MS = 200;
/** Ticks the delay must stay over the ceiling: one late burst the sinks drop on their own is not worth a cut. */
const OVER_TICKS = 2;
/** After a cut has been made, time for the rebased key frame to reach the screen before the next judgement. */
const SETTLE_MS = 3000;
/** Never cut closer than this above the latency floor: the queue must not run dry. */
const MARGIN_MS = 150;

/** The policy for a mode and the minCache/maxCache attributes (seconds). */
export function cachePolicy(variant: Variant, minCacheS: number, maxCacheS: number): CachePolicy {
  if (variant === 'rtc') {
    const ceilingMs = Math.min(RTC_CEILING_MS, Math.max(maxCacheS * 1000, RTC_TARGET_MS + MARGIN_MS));
    return { latencyMs: 0, ceilingMs, targetMs: RTC_TARGET_MS };
  }
  const min = minCacheS * 1000;
  const max = Math.max(maxCacheS * 1000, min + 2 * MARGIN_MS);
  return { latencyMs: min, ceilingMs: max, targetMs: min + Math.max(MARGIN_MS, (max - min) / 4) };
}

export interface CatchUpDecision {
  /** Stream time to skip (ms): drop incoming media for this long, then resume at a key frame. */
  skipMs: number;
  delayMs: number;
}

export class CatchUpDecider {
  private over = 0;
  private quietUntil = -Infinity;

  constructor(private readonly policy: CachePolicy) {}

  /** Called once per tick with the measured delay; returns a cut to make, or null. */
  update(delayMs: number | null, now: number): CatchUpDecision | null {
    if (delayMs === null || now < this.quietUntil) return null;
    if (delayMs <= this.policy.ceilingMs) {
      this.over = 0;
      return null;
    }
    if (++this.over < OVER_TICKS) return null;
    this.over = 0;
    const floor = this.policy.latencyMs + MARGIN_MS;
    const skipMs = Math.round(delayMs - Math.max(this.policy.targetMs, floor));
    if (skipMs <= 0) return null;
    // Dropping `skipMs` of a live stream takes that long, then comes the key frame.
    this.quietUntil = now + skipMs + SETTLE_MS;
    return { skipMs, delayMs };
  }

  /** A reconnect or resume starts over. */
  reset(): void {
    this.over = 0;
    this.quietUntil = -Infinity;
  }
}

// Watches the incoming tags for what the bus cannot see: the network figures
// (netstatus) and the stream-level codes 2009 (new picture size), 2107
// (timestamps jump) and 2104 (uneven arrival).
import { NetStatsMeter } from '../netstats/meter';
import { JitterDetector, ResolutionChangeDetector, TimestampGapDetector, type DetectorEvent } from '../netstats/detectors';
import type { FlvTag } from '../types';
import { isMediaFrame, TAG_VIDEO } from '../flv/tags';

/** Stream time after a connection starts during which a GOP-cache burst is expected and spread is not judged. */
const SETTLE_MS = 4000;
const SPREAD_WINDOW_MS = 3000;

/**
 * How unevenly frames arrive, as the spread (90th minus 10th percentile) of
 * their transit time (arrival minus stream time) over the last 3 s. RFC 3550
 * jitter averages consecutive differences, so a delay that wanders within a
 * bound while order is kept never lifts it past about two frame intervals;
 * the spread sees it, and it is what a buffer has to absorb.
 */
class TransitSpread {
  private samples: { at: number; transit: number }[] = [];
  private firstTs: number | null = null;

  onFrame(ts: number, arrival: number): void {
    this.firstTs ??= ts;
    if (ts - this.firstTs < SETTLE_MS) return;
    this.samples.push({ at: arrival, transit: arrival - ts });
    while (this.samples.length && this.samples[0]!.at < arrival - SPREAD_WINDOW_MS) this.samples.shift();
  }

  spread(): number {
    if (this.samples.length < 10) return 0;
    const t = this.samples.map((s) => s.transit).sort((a, b) => a - b);
    return Math.round(t[Math.floor(t.length * 0.9)]! - t[Math.floor(t.length * 0.1)]!);
  }

  reset(): void {
    this.samples = [];
    this.firstTs = null;
  }
}

export class StreamWatch {
  readonly meter = new NetStatsMeter();
  private readonly jitter = new JitterDetector();
  private readonly gaps = new TimestampGapDetector();
  private readonly sizes = new ResolutionChangeDetector();
  private readonly transit = new TransitSpread();
  /** Spread over 400 ms for 2 s: more than a 1 s min-cache can hide for long. */
  private readonly uneven = new JitterDetector({ thresholdMs: 400, holdMs: 2000 });

  /** Feeds one tag; returns the codes it gives rise to. */
  onTag(tag: FlvTag, arrival: number): DetectorEvent[] {
    this.meter.onTag(tag, arrival);
    if (tag.type === TAG_VIDEO && isMediaFrame(tag)) this.transit.onFrame(tag.timestamp, arrival);
    const out: DetectorEvent[] = [];
    const size = this.sizes.onTag(tag);
    if (size) out.push(size);
    const gap = this.gaps.onTag(tag);
    if (gap) out.push(gap);
    return out;
  }

  /** The video frame interval the timestamps show (ms), null until a few frames were seen. */
  get frameIntervalMs(): number | null {
    return this.gaps.frameIntervalMs;
  }

  onBytes(n: number, at: number): void {
    this.meter.onBytes(n, at);
  }

  /** The netstatus figures now, and a 2104 when arrival has been uneven for a while. */
  sample(now: number): { info: Record<string, number>; jitter: DetectorEvent | null } {
    const spread = this.transit.spread();
    const info = { ...this.meter.sample(now), netTransitSpread: spread };
    const byJitter = this.jitter.update(info.netJitter, now);
    const bySpread = this.uneven.update(spread, now);
    const jitter = byJitter ?? (bySpread && { ...bySpread, detail: `arrival times spread over ${spread} ms (transit p90 − p10, 3 s)` });
    return { info, jitter };
  }

  /** A new connection: its timestamps and arrival pattern start afresh. */
  discontinuity(): void {
    this.meter.discontinuity();
    this.gaps.reset();
    this.jitter.reset();
    this.uneven.reset();
    this.transit.reset();
  }
}

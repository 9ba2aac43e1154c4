// Watches the incoming tags for what the bus cannot see: the network figures
// (netstatus) and the stream-level codes 2009 (new picture size), 2107
// (timestamps jump) and 2104 (uneven arrival).
import { NetStatsMeter } from '../media/netstats/meter';
import { JitterDetector, ResolutionChangeDetector, TimestampGapDetector, type DetectorEvent } from '../media/netstats/detectors';
import type { FlvTag } from '../media/types';

export class StreamWatch {
  readonly meter = new NetStatsMeter();
  private readonly jitter = new JitterDetector();
  private readonly gaps = new TimestampGapDetector();
  private readonly sizes = new ResolutionChangeDetector();

  /** Feeds one tag; returns the codes it gives rise to. */
  onTag(tag: FlvTag, arrival: number): DetectorEvent[] {
    this.meter.onTag(tag, arrival);
    const out: DetectorEvent[] = [];
    const size = this.sizes.onTag(tag);
    if (size) out.push(size);
    const gap = this.gaps.onTag(tag);
    if (gap) out.push(gap);
    return out;
  }

  onBytes(n: number, at: number): void {
    this.meter.onBytes(n, at);
  }

  /** The netstatus figures now, and a 2104 when arrival has been uneven for a while. */
  sample(now: number): { info: Record<string, number>; jitter: DetectorEvent | null } {
    const info = this.meter.sample(now);
    return { info, jitter: this.jitter.update(info.netJitter, now) };
  }

  /** A new connection: its timestamps and arrival pattern start afresh. */
  discontinuity(): void {
    this.meter.discontinuity();
    this.gaps.reset();
    this.jitter.reset();
  }
}

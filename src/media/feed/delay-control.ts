// The media between the network and the screen, as one worker sees it: how
// much is cached (videoCache, audioCache), how far the picture is behind the
// live edge (liveDelay), and when that stays over the mode's ceiling, the cut
// the feed gate makes to catch up. The measures live in live-delay.ts and the
// decision in catch-up.ts; this joins them to the pipeline and the gate.
import { CatchUpDecider, type CachePolicy, type CatchUpDecision } from './catch-up';
import type { FeedGate } from './feed-gate';
import { LiveDelayMeter, ptsFromLastMessage } from './live-delay';
import { TAG_AUDIO, TAG_VIDEO } from '../flv/tags';

/** The one thing read from the pipeline: an element's last-message (identity silent=false). */
export type LastMessageOf = (element: string) => unknown;

export class DelayControl {
  private readonly meter = new LiveDelayMeter();
  private readonly decider: CatchUpDecider;

  constructor(
    readonly policy: CachePolicy,
    private readonly gate: FeedGate,
    private readonly lastMessageOf: LastMessageOf,
  ) {
    this.decider = new CatchUpDecider(policy);
  }

  /** Every video frame as it arrives, dropped or not: arrivals tell where the live edge is. */
  onArrival(inTs: number, at: number): void {
    this.meter.onArrival(inTs, at);
  }

  /** The video frames the gate handed to appsrc, input → output timestamp. */
  onPushed(frames: readonly { inTs: number; outTs: number }[]): void {
    for (const f of frames) this.meter.onPushed(f.inTs, f.outTs);
  }

  /** A new connection: its timestamps say nothing of the old edge, and judging starts over. */
  discontinuity(): void {
    this.meter.discontinuity();
    this.decider.reset();
  }

  /** A resume rebases the timeline: judging starts over. */
  resume(): void {
    this.decider.reset();
  }

  /** ms between the live edge and the frame on screen; null until a frame is known. */
  liveDelay(now: number): number | null {
    // An event that passed after the last frame replaces last-message; the
    // frame before it is then of unknown age (measured: one tick with +1 s),
    // so that tick reports no delay rather than a stale one.
    const pts = ptsFromLastMessage(this.lastMessageOf('vdecout'));
    if (pts === null) return null;
    return this.meter.delayAt(pts, now)?.delayMs ?? null;
  }

  /**
   * Once per tick. `playing` is false while the picture waits for data: a
   * frozen picture's delay grows while nothing arrives, but only the time
   * the pipeline spends paused carries over to the frames after the gap.
   * Returns the cut it asked the gate for, or null.
   */
  judge(delayMs: number | null, now: number, playing: boolean): CatchUpDecision | null {
    const cut = this.decider.update(playing && !this.gate.catchingUp ? delayMs : null, now);
    if (cut) this.gate.skip(cut.skipMs);
    return cut;
  }

  /**
   * videoCache / audioCache: ms of media received but not yet played: the
   * newest timestamp handed to appsrc minus that of the frame leaving the
   * decoder (which the sink is showing or about to show). The queue levels
   * alone miss the demuxer and decoder; the pipeline position runs with the
   * clock and reads ahead of the picture when frames come late (measured:
   * 0 ms while the screen was 700 ms behind the live edge).
   */
  buffered(): { videoCache: number; audioCache: number } {
    const ahead = (type: number, decoded: string): number => {
      const last = this.gate.lastTimestamp(type);
      const shown = ptsFromLastMessage(this.lastMessageOf(decoded));
      return last < 0 || shown === null ? 0 : Math.max(0, Math.round(last - shown));
    };
    return { videoCache: ahead(TAG_VIDEO, 'vdecout'), audioCache: ahead(TAG_AUDIO, 'adecout') };
  }
}

// Sets the pipeline's state for the session, with one rule GStreamer needs
// since 1.24: PLAYING does not follow a PAUSED from PLAYING too closely.
//
// Going PLAYING -> PAUSED, a live basesrc wakes its streaming thread out of
// create() (appsrc: "we are flushing"); since 1.24 the thread clears that
// flag only when it finds the source paused and waits for PLAYING. If the
// pipeline is PLAYING again before the thread has run, it takes the flushing
// create() for a stop and pauses its task for good: appsrc refuses every
// buffer, nothing more is decoded, and no message says so (measured on
// GStreamer 1.26.2, the image's: 1 start in 1 to 3 froze after the preroll
// round trip in a fresh container, with "pausing task, reason flushing" in
// the basesrc log; 1.22 clears the flag in the state change itself).
// Waiting a little before PLAYING lets the woken thread see the pause.
import { performance } from 'node:perf_hooks';
import type { GstPipeline } from './binding';

/** How long after a pause from PLAYING the next PLAYING waits at least. */
export const PAUSE_SETTLE_MS = 60;

export class StateDriver {
  private playing = false;
  private pausedFromPlayingAt = -Infinity;
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param mayPlay asked again when a delayed PLAYING is due: the session's
   *   phase may have moved on meanwhile.
   */
  constructor(
    private readonly pipeline: Pick<GstPipeline, 'play' | 'pause'>,
    private readonly mayPlay: () => boolean,
    private readonly now: () => number = () => performance.now(),
  ) {}

  play(): void {
    this.cancel();
    const wait = this.pausedFromPlayingAt + PAUSE_SETTLE_MS - this.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.mayPlay()) this.play();
      }, wait);
      return;
    }
    this.playing = true;
    this.pipeline.play();
  }

  pause(): void {
    this.cancel();
    if (this.playing) this.pausedFromPlayingAt = this.now();
    this.playing = false;
    this.pipeline.pause();
  }

  /** No delayed PLAYING may come any more (the session is finished). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

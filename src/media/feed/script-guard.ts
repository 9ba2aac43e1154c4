// Script data (onMetaData, cue points, captions) as the pipeline gets it.
// flvdemux parses every script tag it is given, and before the first key
// frame the paused pipeline queues them all: a flood of them grew a worker
// by 17 MB/s. A live encoder sends onMetaData once per connection and a few
// cue points or captions a second at most, so: at most PRE_ROLL_TAGS before
// the clock starts, then at most PER_SECOND a second; the rest is dropped
// and counted.

const PRE_ROLL_TAGS = 8;
const PER_SECOND = 10;

export class ScriptGuard {
  private before = 0;
  private windowStart = 0;
  private inWindow = 0;
  /** Script tags dropped since the last `takeDropped()`. */
  private dropped = 0;

  /** Whether a script tag arriving at `now` may go to the pipeline. */
  allow(now: number, clockStarted: boolean): boolean {
    if (!clockStarted) {
      if (this.before < PRE_ROLL_TAGS) {
        this.before++;
        return true;
      }
      this.dropped++;
      return false;
    }
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow < PER_SECOND) {
      this.inWindow++;
      return true;
    }
    this.dropped++;
    return false;
  }

  /** A new connection sends its onMetaData again. */
  reset(): void {
    this.before = 0;
  }

  takeDropped(): number {
    const n = this.dropped;
    this.dropped = 0;
    return n;
  }
}

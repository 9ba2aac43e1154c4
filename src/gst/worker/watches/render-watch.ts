// What the sinks have rendered, read from basesink's `stats`, and the one
// way the worker waits for it: "call me once this sink has rendered more
// than N buffers". The first frame after a reconnect, the first audio of a
// stream without video and the preroll kick all wait on that.
import type { GstPipeline } from '../binding';

/** How often a wait looks at the sink's count. */
const POLL_MS = 20;

export class RenderWatch {
  /** While the TV's words are on the video sink: its count when they came. */
  private frozen: number | null = null;
  /** The words' frames, left out of the video sink's count until the sink counts from 0 again. */
  private wordsFrames = 0;
  private countAtThaw = 0;

  constructor(private readonly pipeline: Pick<GstPipeline, 'findChild'>) {}

  /** Buffers `sink` has rendered so far (0 before the first, or without stats); the video sink's without the TV's words. */
  rendered(sink: 'vsink' | 'asink' = 'vsink'): number {
    const raw = this.raw(sink);
    if (sink === 'asink') return raw;
    if (this.frozen !== null) return this.frozen;
    // basesink counts from 0 again after a pause: the words' frames went with the old count.
    if (raw < this.countAtThaw) this.wordsFrames = this.countAtThaw = 0;
    return raw - this.wordsFrames;
  }

  /** The TV's words take the video sink: what it renders meanwhile is not the stream's. */
  freeze(): void {
    if (this.frozen === null) this.frozen = this.rendered('vsink');
  }

  /** The stream has the video sink again. */
  thaw(): void {
    if (this.frozen === null) return;
    this.countAtThaw = this.raw('vsink');
    this.wordsFrames = Math.max(0, this.countAtThaw - this.frozen);
    this.frozen = null;
  }

  private raw(sink: 'vsink' | 'asink'): number {
    const stats = String(this.pipeline.findChild(sink)?.stats ?? '');
    const m = /rendered=\(guint64\)(\d+)/.exec(stats);
    return m ? Number(m[1]) : 0;
  }

  /**
   * Calls `then` once `sink` has rendered more than `beyond` buffers; gives
   * up for good as soon as `wanted()` turns false (the connection was
   * replaced, the session gave up). `each` runs on every look before that,
   * with the time since the wait began.
   */
  whenRendered(sink: 'vsink' | 'asink', beyond: number, wanted: () => boolean, then: () => void, each?: (elapsedMs: number) => void): void {
    const t0 = performance.now();
    const poll = setInterval(() => {
      if (!wanted()) return clearInterval(poll);
      if (this.rendered(sink) > beyond) {
        clearInterval(poll);
        then();
        return;
      }
      each?.(performance.now() - t0);
    }, POLL_MS);
  }
}

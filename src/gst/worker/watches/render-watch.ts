// What the sinks have rendered, read from basesink's `stats`, and the one
// way the worker waits for it: "call me once this sink has rendered more
// than N buffers". The first frame after a reconnect, the first audio of a
// stream without video and the preroll kick all wait on that.
import type { GstPipeline } from '../binding';

/** How often a wait looks at the sink's count. */
const POLL_MS = 20;

export class RenderWatch {
  constructor(private readonly pipeline: Pick<GstPipeline, 'findChild'>) {}

  /** Buffers `sink` has rendered so far (0 before the first, or without stats). */
  rendered(sink: 'vsink' | 'asink' = 'vsink'): number {
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

// What the worker's once-a-second tick judges about the flow, as decisions
// without GStreamer: the buffer running dry (2007), a connection that stays
// open without media until the stall timeout (a drop), and the picture
// freezing mid-play while frames still arrive (2105). The session acts on
// them (holds the clock, closes the reader, sends the code).

export interface FlowVerdict {
  /** ms without a tag, when the buffer has just started running dry (2007): once per dry spell. */
  dryFor: number | null;
  /** ms without a tag, once that reached the stall timeout: the connection counts as dropped. */
  stalledFor: number | null;
}

export interface PictureVerdict {
  /** Frames the video sink rendered per second since the previous tick. */
  renderFPS: number;
  /** True on the tick the picture froze (2105); not again until it moved again. */
  froze: boolean;
  /** Ticks in a row with a still picture while frames arrive (0 while it moves or is quiet). */
  stillTicks: number;
}

export class FlowHealth {
  private lastTagAt = 0;
  private dry = false;
  private renderedAtTick = 0;
  /** Frames have been moving since the first one: only then can the picture stall "mid-play". */
  private moving = false;
  private frozen = false;
  private stillTicks = 0;

  constructor(private readonly o: { tickMs: number; dryMs: number; stallTimeoutMs: number }) {}

  /** A tag arrived, or a connection began (nothing is overdue yet). */
  fed(at: number): void {
    this.lastTagAt = at;
  }

  /** The buffer is running dry right now (live mode then lets no catch-up cut). */
  get buffering(): boolean {
    return this.dry;
  }

  flow(now: number): FlowVerdict {
    const idle = now - this.lastTagAt;
    let dryFor: number | null = null;
    if (idle > this.o.dryMs && !this.dry) {
      this.dry = true;
      dryFor = idle;
    } else if (idle <= this.o.dryMs) this.dry = false;
    if (idle <= this.o.stallTimeoutMs) return { dryFor, stalledFor: null };
    // The session reconnects: the new connection gets a whole timeout.
    this.lastTagAt = now;
    return { dryFor, stalledFor: idle };
  }

  /**
   * `quiet`: a still picture is expected now (waiting for the picture after a
   * reconnect, the clock held for data, the minCache buffer filling after
   * 2004, whose next frames wait out the declared latency).
   */
  picture(rendered: number, arrivingFPS: number, quiet: boolean): PictureVerdict {
    const renderFPS = Math.max(0, rendered - this.renderedAtTick) / (this.o.tickMs / 1000);
    this.renderedAtTick = rendered;
    if (rendered > 2) this.moving = true;
    const still = renderFPS === 0 && arrivingFPS > 0 && this.moving && !quiet;
    const froze = still && !this.frozen;
    this.frozen = still;
    this.stillTicks = still ? this.stillTicks + 1 : 0;
    return { renderFPS, froze, stillTicks: this.stillTicks };
  }
}

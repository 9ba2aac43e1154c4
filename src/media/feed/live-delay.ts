// The live delay: how far behind the live edge the picture on screen is.
//
// The live edge is estimated per connection from arrival times: a frame's
// transit is its arrival (worker clock) minus its FLV timestamp, and the
// smallest transit seen lately is what a frame fresh from the publisher
// costs. A frame with stream time ts was therefore at the edge at
// ts + minTransit, and while it is shown the delay is now minus that. A
// GOP-cache burst or a held and released network both show up as frames
// whose transit exceeds the minimum, and a buffer as time between arrival
// and display. The frame on screen is known by its output timestamp (the
// muxer rebases every connection onto one timeline), so each pushed video
// frame is remembered with the input timestamp and connection it came from.

/** Frames remembered for the output→input mapping: 60 s at 30 fps. */
const MAX_FRAMES = 1800;
/** How long a small transit stays the reference; long enough to outlast a held network, short enough to follow a drifting publisher clock. */
const EDGE_WINDOW_MS = 30000;

/** Sliding minimum of transit over arrival time (monotonic deque). */
export class EdgeEstimate {
  private readonly q: { at: number; transit: number }[] = [];

  add(at: number, transit: number): void {
    while (this.q.length && this.q[this.q.length - 1]!.transit >= transit) this.q.pop();
    this.q.push({ at, transit });
    while (this.q.length > 1 && this.q[0]!.at < at - EDGE_WINDOW_MS) this.q.shift();
  }

  /** The smallest transit within the window, NaN before any frame. */
  get minTransit(): number {
    return this.q.length ? this.q[0]!.transit : NaN;
  }
}

interface Pushed {
  out: number;
  in: number;
  edge: EdgeEstimate;
}

export class LiveDelayMeter {
  private frames: Pushed[] = [];
  private edge = new EdgeEstimate();

  /** A new connection: its timestamps have no relation to the previous ones. */
  discontinuity(): void {
    this.edge = new EdgeEstimate();
  }

  /** Every video frame as it arrives (including ones the gate drops: they still tell where the edge is). */
  onArrival(inTs: number, arrival: number): void {
    this.edge.add(arrival, arrival - inTs);
  }

  /** A video frame that went into the pipeline with output timestamp `outTs`. */
  onPushed(inTs: number, outTs: number): void {
    this.frames.push({ out: outTs, in: inTs, edge: this.edge });
    if (this.frames.length > MAX_FRAMES * 1.5) this.frames = this.frames.slice(-MAX_FRAMES);
  }

  /** The input timestamp and delay (ms) of the frame shown at output time `renderedOut`; null when unknown. */
  delayAt(renderedOut: number, now: number): { inTs: number; delayMs: number } | null {
    const f = this.frameAt(renderedOut);
    if (!f || Number.isNaN(f.edge.minTransit)) return null;
    return { inTs: f.in, delayMs: Math.round(now - (f.in + f.edge.minTransit)) };
  }

  /** The last frame with out <= renderedOut (binary search; out never decreases). */
  private frameAt(renderedOut: number): Pushed | null {
    const a = this.frames;
    let lo = 0;
    let hi = a.length - 1;
    let hit = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]!.out <= renderedOut) {
        hit = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return hit >= 0 ? a[hit]! : null;
  }
}

/**
 * The presentation time (ms) in an `identity silent=false` last-message for
 * a buffer ("chain ... pts: 0:00:01.240000000, ..."); null for events and
 * buffers without a timestamp.
 */
export function ptsFromLastMessage(msg: unknown): number | null {
  if (typeof msg !== 'string' || !msg.startsWith('chain')) return null;
  const m = /pts: (\d+):(\d\d):(\d\d)\.(\d{9})/.exec(msg);
  if (!m) return null;
  return (Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000 + Number(m[4]) / 1e6;
}

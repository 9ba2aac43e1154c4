// The video sink prerolls after the pipeline went to PLAYING, and a live
// bin does not carry a child's finished async change on to PLAYING: the
// sink commits PAUSED and waits (GST_DEBUG: "waiting in preroll for flush
// or PLAYING"). Streams with audio were rescued by decodebin adding
// elements, which makes the bin set its children's states again; a stream
// without audio froze on its first frame. A PAUSED -> PLAYING round trip
// sets every child, the sink included, but it races the bin's own handling
// of the preroll: 1 RTC start in 8 still froze (renderFPS 0 for 5 s). So it
// is repeated while no frame after the first reaches the sink.
import type { GstPipeline } from './binding';
import type { RenderWatch } from './watches/render-watch';

/** How long past the latency the second frame may take before the sink is set going again. */
const GRACE_MS = 400;
/** How often at most. */
const REPEATS = 5;

export interface PrerollKick {
  pipeline: Pick<GstPipeline, 'pause' | 'play'>;
  renders: Pick<RenderWatch, 'rendered' | 'whenRendered'>;
  /** The latency the session declares (minCache): frames wait it out before they are due. */
  latencyMs: number;
  /** False while the pipeline must not be set PLAYING (clock not started, paused, held for data, decoder given up). */
  mayPlay: () => boolean;
  /** False once the session gave up on this pipeline: no more looks. */
  wanted: () => boolean;
  /** Each repeat is worth a log line. */
  repeated: (repeat: number, renderedAtFirst: number) => void;
}

/** Called at the first frame (2004): one round trip now, more while the sink stays in preroll. */
export function kickPastPreroll(k: PrerollKick): void {
  const roundTrip = (): boolean => {
    if (!k.mayPlay()) return false;
    k.pipeline.pause();
    k.pipeline.play();
    return true;
  };
  roundTrip();
  const first = k.renders.rendered();
  const grace = k.latencyMs + GRACE_MS;
  let repeats = 0;
  const kick = (elapsedMs: number) => {
    if (elapsedMs < grace * (repeats + 1) || !roundTrip()) return;
    repeats++;
    k.repeated(repeats, first);
  };
  k.renders.whenRendered('vsink', first, () => repeats < REPEATS && k.wanted(), () => {}, kick);
}

// One continuous timeline for the tags of a connection. A relay that
// rewrites timestamps, a publisher restarting behind a relay, or a clock
// that wraps (2^31 or 2^32 ms) makes the input jump by seconds to days
// while the tags keep arriving at the stream's pace. Everything after the
// reader (the live-delay meter, the catch-up cut, the muxer, the pipeline's
// clock) reasons in stream time, so such a jump froze the picture (waiting
// for a running time hours away, or cutting until the input came back) or
// left it seconds behind. Here each media tag's timestamp is judged against
// the previous one of its track and against how much time really passed
// between their arrivals; a step that disagrees by more than a threshold is
// a broken clock, and the offset is moved so the step becomes what the
// arrivals say. One offset serves both tracks, so audio and video stay in
// step: the second track sees the jump already mended. The stream watch
// still sees the raw timestamps (2107 says the jump happened).
import { isMediaFrame, TAG_VIDEO } from '../flv/tags';
import type { FlvTag } from '../types';

/** A step back larger than this is a jump: interleaving never reorders by that much. */
const BACK_MS = 1000;
/** A step forward this much larger than the time between arrivals is a jump: real pauses arrive late by as much. */
const FORWARD_MS = 1000;
/** The step used before a track's interval is known: a 25 fps frame, about two AAC frames. */
const DEFAULT_STEP = { video: 40, audio: 23 } as const;

interface Track {
  /** Mended timestamp of the track's last media tag. */
  ts: number;
  at: number;
  /** Last positive step seen in the input: the track's own pace. */
  step: number;
}

export interface Mended {
  tag: FlvTag;
  /** Set when this tag's input jumped: by how much the offset moved (ms). */
  moved: number | null;
}

export class ContinuousTimeline {
  private offset = 0;
  private readonly tracks = new Map<number, Track>();
  /** How many jumps were mended on this connection (for logs and tests). */
  jumps = 0;

  /** A new connection: its timestamps start afresh (the muxer rebases them). */
  discontinuity(): void {
    this.offset = 0;
    this.tracks.clear();
  }

  /** The tag with its timestamp on the continuous timeline; `at` is its arrival (ms, worker clock). */
  mend(tag: FlvTag, at: number): Mended {
    // Sequence headers and metadata often carry 0 whatever the frames carry: not judged, not moved.
    if (!isMediaFrame(tag)) return { tag, moved: null };
    let ts = tag.timestamp + this.offset;
    const prev = this.tracks.get(tag.type);
    let moved: number | null = null;
    if (prev) {
      const step = ts - prev.ts;
      const passed = Math.max(0, at - prev.at);
      if (step < -BACK_MS || step - passed > FORWARD_MS) {
        const want = prev.ts + Math.max(prev.step, Math.round(passed));
        moved = want - ts;
        this.offset += moved;
        ts = want;
        this.jumps += 1;
      } else if (step > 0) {
        prev.step = step;
      }
    }
    const step = prev?.step ?? (tag.type === TAG_VIDEO ? DEFAULT_STEP.video : DEFAULT_STEP.audio);
    this.tracks.set(tag.type, { ts, at, step });
    return { tag: ts === tag.timestamp ? tag : { ...tag, timestamp: ts }, moved };
  }
}

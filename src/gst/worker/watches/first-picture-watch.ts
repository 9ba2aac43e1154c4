// A hardware decoder can fail without a word on the bus: frames go in and no
// picture ever comes out (a V4L2 decoder that cannot handle the stream's
// profile, a firmware stuck on the first IDR). Before the first frame, the
// worker asks this watch whether the decoder has had its chance.
import type { GstPipeline } from '../binding';
import { countBuffers } from './decode-watch';

/**
 * H.264 lets a decoder hold at most 16 frames for reordering (the largest
 * DPB), so a working decoder has given a picture once 17 frames went in; 2 s
 * covers the slowest first output seen on V4L2 decoders (a few hundred ms,
 * buffer allocation included) with room for a loaded board, and still spares
 * the viewer a long black screen.
 */
export const FIRST_PICTURE_LIMIT = { ms: 2000, framesIn: 17 } as const;

export type FirstPictureVerdict = 'wait' | 'ok' | 'failed';

/** Pure decision, unit-tested: `msSinceFirstIn` counts from the first frame that entered the decoder. */
export function judgeFirstPicture(s: { msSinceFirstIn: number | null; framesIn: number; framesOut: number }): FirstPictureVerdict {
  if (s.framesOut > 0) return 'ok';
  if (s.msSinceFirstIn === null) return 'wait';
  return s.msSinceFirstIn >= FIRST_PICTURE_LIMIT.ms && s.framesIn >= FIRST_PICTURE_LIMIT.framesIn ? 'failed' : 'wait';
}

/** Polls the counting identities around the decoder (vdecin, vdecout). */
export class FirstPictureWatch {
  private firstInAt: number | null = null;

  constructor(private readonly pipeline: GstPipeline) {}

  check(now: number): { verdict: FirstPictureVerdict; framesIn: number } {
    const framesIn = countBuffers(this.pipeline, 'vdecin');
    if (framesIn > 0) this.firstInAt ??= now;
    const framesOut = countBuffers(this.pipeline, 'vdecout');
    const msSinceFirstIn = this.firstInAt === null ? null : now - this.firstInAt;
    return { verdict: judgeFirstPicture({ msSinceFirstIn, framesIn, framesOut }), framesIn };
  }
}

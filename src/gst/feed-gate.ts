// Decides which tags reach appsrc. Besides the muxer's own rule (no video
// delta frame before a key frame), audio is held back until that key frame:
// otherwise a long GOP on a server without GOP cache fills the audio queue
// while the video sink still waits to preroll, and flvdemux deadlocks.
import { FlvMuxer } from '../media/flv/writer';
import { isMediaFrame, TAG_AUDIO, TAG_VIDEO } from '../media/flv/tags';
import type { FlvTag } from '../media/types';

/** After this much audio with no video tag at all, the stream is taken as audio-only and audio flows. */
const AUDIO_ONLY_AFTER_MS = 3000;

export class FeedGate {
  private readonly muxer = new FlvMuxer();
  private sawVideo = false;
  private firstHeldAudio: number | null = null;

  /** The bytes for one tag and whether it is the first key frame since start or a discontinuity; null when dropped. */
  accept(tag: FlvTag): { bytes: Buffer; keyFrame: boolean } | null {
    const waiting = this.muxer.awaitingKeyFrame;
    if (tag.type === TAG_VIDEO) this.sawVideo = true;
    if (waiting && tag.type === TAG_AUDIO && isMediaFrame(tag) && !this.audioOnly(tag)) return null;
    const bytes = this.muxer.write(tag);
    if (!bytes) return null;
    return { bytes, keyFrame: waiting && tag.type === TAG_VIDEO && !this.muxer.awaitingKeyFrame };
  }

  /** Output timestamp (ms, the pipeline's stream time) of the newest audio or video tag let through, -1 before one. */
  lastTimestamp(type: number): number {
    return this.muxer.lastTimestampOf(type);
  }

  /** The next tag comes from a new connection (or after a pause): rebase and wait for a key frame again. */
  discontinuity(): void {
    this.muxer.discontinuity();
    this.firstHeldAudio = null;
  }

  private audioOnly(tag: FlvTag): boolean {
    if (this.sawVideo) return false;
    this.firstHeldAudio ??= tag.timestamp;
    return tag.timestamp - this.firstHeldAudio > AUDIO_ONLY_AFTER_MS;
  }
}

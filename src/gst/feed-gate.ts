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
  /** A catch-up asked for and not yet begun (ms of stream time to drop). */
  private pendingSkip = 0;
  /** While catching up: media with an input timestamp below this is dropped. */
  private skipUntil: number | null = null;
  private skipMs = 0;

  /**
   * The bytes for one tag, its output timestamp, and whether it is the first
   * key frame since start or a discontinuity; null when dropped.
   */
  accept(tag: FlvTag): { bytes: Buffer; ts: number; keyFrame: boolean } | null {
    if (isMediaFrame(tag) && this.skipping(tag.timestamp)) return null;
    const waiting = this.muxer.awaitingKeyFrame;
    if (tag.type === TAG_VIDEO) this.sawVideo = true;
    if (waiting && tag.type === TAG_AUDIO && isMediaFrame(tag) && !this.audioOnly(tag)) return null;
    const bytes = this.muxer.write(tag);
    if (!bytes) return null;
    return { bytes, ts: this.muxer.lastWrittenTimestamp, keyFrame: waiting && tag.type === TAG_VIDEO && !this.muxer.awaitingKeyFrame };
  }

  /**
   * Catch up to the live edge by `ms`: drop the next `ms` of incoming media,
   * then go on from a key frame with the output timeline shifted back by
   * exactly `ms`, so what is queued plays out without a gap and the frames
   * after the cut are never late for the clock (a late frame is dropped by
   * a real video sink, and so would be every one after it).
   */
  skip(ms: number): void {
    if (ms > 0 && this.skipUntil === null) this.pendingSkip = ms;
  }

  /** True while a catch-up is waiting for its cut to pass or for the key frame after it. */
  get catchingUp(): boolean {
    return this.pendingSkip > 0 || this.skipUntil !== null || (this.skipMs > 0 && this.muxer.awaitingKeyFrame);
  }

  /** The next tag comes from a new connection (or after a pause): rebase and wait for a key frame again. */
  discontinuity(): void {
    this.muxer.discontinuity();
    this.firstHeldAudio = null;
    this.pendingSkip = 0;
    this.skipUntil = null;
    this.skipMs = 0;
  }

  private skipping(ts: number): boolean {
    if (this.pendingSkip > 0) {
      this.skipUntil = ts + this.pendingSkip;
      this.skipMs = this.pendingSkip;
      this.pendingSkip = 0;
    }
    if (this.skipUntil === null) return false;
    if (ts < this.skipUntil) return true;
    this.skipUntil = null;
    this.muxer.skip(this.skipMs);
    return false;
  }

  private audioOnly(tag: FlvTag): boolean {
    if (this.sawVideo) return false;
    this.firstHeldAudio ??= tag.timestamp;
    return tag.timestamp - this.firstHeldAudio > AUDIO_ONLY_AFTER_MS;
  }
}

// Decides which tags reach appsrc. Besides the muxer's own rule (no video
// delta frame before a key frame), audio is held back until that key frame:
// otherwise a long GOP on a server without GOP cache fills the audio queue
// while the video sink still waits to preroll, and flvdemux deadlocks.
import { FlvMuxer } from '../flv/writer';
import { isMediaFrame, isVideoKeyFrame, TAG_AUDIO, TAG_SCRIPT, TAG_VIDEO } from '../flv/tags';
import type { FlvTag } from '../types';
import { metadataAnnouncesVideo } from '../flv/metadata';

/** After this much audio with no video tag at all, the stream is taken as audio-only and audio flows. */
const AUDIO_ONLY_AFTER_MS = 3000;
/**
 * The same when onMetaData announced video: its first tag can be a whole GOP
 * away on a server without GOP cache (nginx-rtmp sends the sequence header
 * with the next key frame), and x264's default GOP at 25 fps is 10 s. At
 * most that long: a stream that announces video and sends none plays its audio.
 */
const ANNOUNCED_VIDEO_WAIT_MS = 11000; // a 10 s GOP and 1 s for the server's interleaving of audio ahead of video

/** What the gate lets through for one tag: the bytes for appsrc and the video frames in them (input → output timestamp). */
export interface Passed {
  bytes: Buffer;
  /** Output timestamp of the tag itself. */
  ts: number;
  /** True for the first key frame since start or a discontinuity. */
  keyFrame: boolean;
  /** Every video frame in `bytes`: more than one when a catch-up releases the GOP it kept. */
  frames: { inTs: number; outTs: number }[];
}

export class FeedGate {
  private readonly muxer = new FlvMuxer();
  private sawVideo = false;
  /** onMetaData of this stream said it has video. */
  private videoAnnounced = false;
  private firstHeldAudio: number | null = null;
  /** Audio of a stream without video was let through without waiting for a key frame. */
  private audioReleased = false;
  /** A catch-up asked for and not yet begun (ms of stream time to drop). */
  private pendingSkip = 0;
  /** While catching up: the first input timestamp dropped and where the cut ends. */
  private cut: { from: number; until: number; ms: number } | null = null;
  /** During a cut, the newest GOP seen so far (from its key frame): where the stream resumes. */
  private kept: FlvTag[] = [];
  private awaitingKeyAfterCut = false;

  /** What goes to appsrc for one tag; null when it is dropped (or kept for a catch-up). */
  accept(tag: FlvTag): Passed | null {
    if (isMediaFrame(tag) && this.pendingSkip > 0) {
      this.cut = { from: tag.timestamp, until: tag.timestamp + this.pendingSkip, ms: this.pendingSkip };
      this.pendingSkip = 0;
    }
    if (isMediaFrame(tag) && this.cut) {
      const released = this.cutTag(tag);
      if (!released) return null;
      const parts = released.map((t) => this.pass(t)).filter((x): x is Passed => x !== null);
      if (!parts.length) return null;
      return { bytes: Buffer.concat(parts.map((x) => x.bytes)), ts: parts[parts.length - 1]!.ts, keyFrame: parts.some((x) => x.keyFrame), frames: parts.flatMap((x) => x.frames) };
    }
    return this.pass(tag);
  }

  private pass(tag: FlvTag): Passed | null {
    const waiting = this.muxer.awaitingKeyFrame;
    if (tag.type === TAG_SCRIPT && !this.sawVideo) {
      const video = metadataAnnouncesVideo(tag);
      if (video !== null) this.videoAnnounced = video;
    }
    if (tag.type === TAG_VIDEO) this.sawVideo = true;
    if (waiting && tag.type === TAG_AUDIO && isMediaFrame(tag) && !this.audioOnly(tag)) return null;
    const bytes = this.muxer.write(tag);
    if (!bytes) return null;
    const ts = this.muxer.lastWrittenTimestamp;
    if (tag.type === TAG_VIDEO && !this.muxer.awaitingKeyFrame) this.awaitingKeyAfterCut = false;
    const video = tag.type === TAG_VIDEO && isMediaFrame(tag);
    return { bytes, ts, keyFrame: waiting && tag.type === TAG_VIDEO && !this.muxer.awaitingKeyFrame, frames: video ? [{ inTs: tag.timestamp, outTs: ts }] : [] };
  }

  /**
   * Catch up to the live edge by about `ms`: incoming media is dropped up to
   * `ms` past the first dropped tag, except the newest GOP begun in that
   * stretch, which is kept; then the stream resumes at that GOP's key frame
   * with the output timeline shifted back by exactly the stretch dropped
   * before it. What is queued plays out and the kept GOP follows without a
   * gap (no freeze while waiting for a key frame) and with nothing late for
   * the clock (a real video sink drops a late frame, and every one after it).
   * The cut is therefore between `ms` minus one GOP and `ms`; with a GOP
   * longer than `ms` it is exactly `ms` and the picture waits for the next
   * key frame.
   */
  skip(ms: number): void {
    if (ms > 0 && this.cut === null) this.pendingSkip = ms;
  }

  /** True while a catch-up is waiting for its cut to pass or for the key frame after it. */
  get catchingUp(): boolean {
    return this.pendingSkip > 0 || this.cut !== null || this.awaitingKeyAfterCut;
  }

  /** Output timestamp (ms, the pipeline's stream time) of the newest audio or video tag let through, -1 before one. */
  lastTimestamp(type: number): number {
    return this.muxer.lastTimestampOf(type);
  }

  /** The next tag comes from a new connection (or after a pause): rebase and wait for a key frame again. */
  discontinuity(): void {
    this.muxer.discontinuity();
    this.firstHeldAudio = null;
    this.pendingSkip = 0;
    this.cut = null;
    this.kept = [];
    this.awaitingKeyAfterCut = false;
  }

  /** Media tag during a cut: null while dropping or keeping, else the tags to pass now (kept GOP first). */
  private cutTag(tag: FlvTag): FlvTag[] | null {
    const cut = this.cut!;
    if (tag.timestamp < cut.until) {
      // A key frame right at the start would make the cut nothing.
      if (isVideoKeyFrame(tag) && tag.timestamp > cut.from) this.kept = [tag];
      else if (this.kept.length) this.kept.push(tag);
      return null;
    }
    const kept = this.kept;
    this.cut = null;
    this.kept = [];
    this.muxer.skip(kept.length ? kept[0]!.timestamp - cut.from : cut.ms);
    this.awaitingKeyAfterCut = true;
    return [...kept, tag];
  }

  private audioOnly(tag: FlvTag): boolean {
    if (this.sawVideo) return false;
    // Known from before a reconnect: no need to wait for video again.
    if (this.audioReleased) return true;
    this.firstHeldAudio ??= tag.timestamp;
    if (tag.timestamp - this.firstHeldAudio <= (this.videoAnnounced ? ANNOUNCED_VIDEO_WAIT_MS : AUDIO_ONLY_AFTER_MS)) return false;
    this.audioReleased = true;
    return true;
  }

  /** True once audio flows in a stream that has sent no video tag at all (until video comes). */
  get audioOnlyStream(): boolean {
    return !this.sawVideo && this.audioReleased;
  }
}

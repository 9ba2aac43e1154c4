// The FLV byte stream that the media worker pushes into `appsrc ! flvdemux`.
// One muxer lives as long as one pipeline, across reconnects: flvdemux only
// reads the file header once and wants each track's timestamps to keep
// increasing, so every connection's timestamps are mapped onto one timeline
// that continues where the previous connection stopped.
import type { FlvTag } from '../types';
import { isMediaFrame, isVideoKeyFrame, TAG_AUDIO, TAG_VIDEO } from './tags';

export interface FlvMuxerOptions {
  /** Flags in the FLV file header; flvdemux waits for the tracks that are announced. */
  hasAudio?: boolean;
  hasVideo?: boolean;
  /** Drop video frames until a key frame after start and after each discontinuity (a decoder cannot start on a delta frame). Default true. */
  dropUntilKeyFrame?: boolean;
  /** Frame interval used for the step across a discontinuity before any interval has been seen. Default 40 ms (25 fps). */
  defaultFrameIntervalMs?: number;
  /**
   * A track's input timestamp going back by more than this within one
   * connection is treated as a discontinuity the caller did not announce
   * (server restarted the stream). Default 1000 ms: audio/video interleaving
   * never reorders by that much, and smaller steps back are clamped instead.
   */
  backJumpMs?: number;
  /**
   * A forward jump larger than this is also rebased. Default 10000 ms: a
   * shorter pause of the publisher is real time that passed (the pipeline's
   * clock ran on) and must stay in the timestamps; a longer jump is a broken
   * clock and would freeze the picture while the sink waits for it.
   */
  forwardJumpMs?: number;
}

export interface FlvMuxerStats {
  tagsOut: number;
  bytesOut: number;
  dropped: number;
  discontinuities: number;
}

const MAX_TS = 0xffffffff;

export class FlvMuxer {
  readonly stats: FlvMuxerStats = { tagsOut: 0, bytesOut: 0, dropped: 0, discontinuities: 0 };
  private readonly opts: Required<FlvMuxerOptions>;
  private headerWritten = false;
  private waitingForKey: boolean;
  /** Output = input + offset; null until the first media frame of a connection fixes it. */
  private offset: number | null = null;
  private lastOut = -1;
  private lastWritten = -1;
  private readonly lastOutByType = new Map<number, number>();
  private readonly lastInByType = new Map<number, number>();
  private frameInterval: number;

  constructor(opts: FlvMuxerOptions = {}) {
    this.opts = {
      hasAudio: true,
      hasVideo: true,
      dropUntilKeyFrame: true,
      defaultFrameIntervalMs: 40,
      backJumpMs: 1000,
      forwardJumpMs: 10000,
      ...opts,
    };
    this.waitingForKey = this.opts.dropUntilKeyFrame;
    this.frameInterval = this.opts.defaultFrameIntervalMs;
  }

  /** Output timestamp of the last tag written, -1 before any. */
  get lastTimestamp(): number {
    return this.lastOut;
  }

  /** Interval between video frames as last measured on the input, the step used across a discontinuity. */
  get frameIntervalMs(): number {
    return this.frameInterval;
  }

  /** Output timestamp (ms) of the newest audio (8) or video (9) tag written, -1 before one. */
  lastTimestampOf(type: number): number {
    return this.lastOutByType.get(type) ?? -1;
  }

  /** True while video delta frames are being dropped for want of a key frame. */
  get awaitingKeyFrame(): boolean {
    return this.waitingForKey;
  }

  /** Output timestamp of the tag most recently returned by write(), -1 before any. */
  get lastWrittenTimestamp(): number {
    return this.lastWritten;
  }

  /**
   * Catching up to the live edge: the input from here on is `ms` further
   * ahead than the output should be (the caller dropped that much), so the
   * output timeline moves `ms` less than the input, and video resumes at a
   * key frame. The jump in the input is not judged as a broken clock.
   */
  skip(ms: number): void {
    if (this.offset !== null) this.offset -= ms;
    this.lastInByType.clear();
    this.waitingForKey = this.opts.dropUntilKeyFrame;
  }

  /** The next tag starts a new connection whose timestamps have no relation to the previous ones. */
  discontinuity(): void {
    this.offset = null;
    this.lastInByType.clear();
    this.waitingForKey = this.opts.dropUntilKeyFrame;
    this.stats.discontinuities += 1;
  }

  /** The FLV file header and PreviousTagSize0, written once before the first tag. */
  header(): Buffer {
    const b = Buffer.from([0x46, 0x4c, 0x56, 1, 0, 0, 0, 0, 9, 0, 0, 0, 0]);
    b[4] = (this.opts.hasAudio ? 4 : 0) | (this.opts.hasVideo ? 1 : 0);
    return b;
  }

  /** Bytes for appsrc for one tag (with the file header before the first), or null when the tag is dropped. */
  write(tag: FlvTag): Buffer | null {
    const media = isMediaFrame(tag);
    if (media && tag.type === TAG_VIDEO && this.waitingForKey) {
      if (!isVideoKeyFrame(tag)) {
        this.stats.dropped += 1;
        return null;
      }
      this.waitingForKey = false;
    }
    if (media) this.trackInput(tag);
    const ts = this.outputTimestamp(tag, media);
    const out = this.encode(tag, ts);
    this.lastWritten = ts;
    this.stats.tagsOut += 1;
    this.stats.bytesOut += out.length;
    return out;
  }

  private trackInput(tag: FlvTag): void {
    const prev = this.lastInByType.get(tag.type);
    if (prev !== undefined && this.offset !== null) {
      const step = tag.timestamp - prev;
      if (step < -this.opts.backJumpMs || step > this.opts.forwardJumpMs) {
        this.offset = null;
        this.lastInByType.clear();
      } else if (tag.type === TAG_VIDEO && step > 0) {
        this.frameInterval = step;
      }
    }
    this.lastInByType.set(tag.type, tag.timestamp);
  }

  private outputTimestamp(tag: FlvTag, media: boolean): number {
    if (this.offset === null) {
      // Configuration and metadata before the first frame of a new connection
      // often carry 0 whatever the frames carry, so only a frame fixes the offset.
      if (!media) return Math.max(this.lastOut, 0);
      // The first connection starts at 0: a live server's clock can be days in,
      // and the pipeline would wait for that running time before showing anything.
      const target = this.lastOut < 0 ? 0 : this.lastOut + this.frameInterval;
      this.offset = target - tag.timestamp;
    }
    let ts = tag.timestamp + this.offset;
    // Each track must never step back, or flvdemux reorders / drops; clamping
    // costs at most the few ms of skew between the tracks at a reconnect.
    const lastOfType = this.lastOutByType.get(tag.type);
    if (lastOfType !== undefined && ts < lastOfType) ts = lastOfType;
    ts = Math.min(Math.max(0, Math.round(ts)), MAX_TS);
    if (tag.type === TAG_AUDIO || tag.type === TAG_VIDEO) this.lastOutByType.set(tag.type, ts);
    if (ts > this.lastOut) this.lastOut = ts;
    return ts;
  }

  private encode(tag: FlvTag, ts: number): Buffer {
    const size = tag.data.length;
    const head = this.headerWritten ? 0 : 13;
    const out = Buffer.allocUnsafe(head + 11 + size + 4);
    if (!this.headerWritten) {
      this.header().copy(out, 0);
      this.headerWritten = true;
    }
    let p = head;
    out[p] = tag.type;
    out.writeUIntBE(size, p + 1, 3);
    out.writeUIntBE(ts & 0xffffff, p + 4, 3);
    out[p + 7] = (ts >>> 24) & 0xff;
    out.writeUIntBE(0, p + 8, 3); // StreamID, always 0
    tag.data.copy(out, p + 11);
    out.writeUInt32BE(11 + size, p + 11 + size);
    return out;
  }
}

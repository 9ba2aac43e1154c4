// The netstatus figures of <live-player>, measured from the tags and socket
// bytes the reader delivers. The worker calls onTag/onBytes as data arrives
// and sample() about once a second for the netstatus event.
//
// Media rates (bit rates, fps, GOP) are computed in stream time, from the FLV
// timestamps: a GOP-cache server sends the first seconds in one burst, and on
// a congested link tags bunch up, but their timestamps still say how much
// media time they cover. Only netSpeed (what the socket delivers) and
// netJitter (how unevenly it delivers) use arrival time.
import type { FlvTag } from '../types';
import { avcInfo, type SpsInfo } from '../flv/avc';
import { isMediaFrame, isVideoKeyFrame, payloadBytes, TAG_AUDIO, TAG_VIDEO } from '../flv/tags';
import { TimedSeries } from './series';

/** The contract's netstatus keys (a type alias, so it is assignable to the engine's NetStatus record). */
export type NetStatusSample = {
  /** kbps of video codec payload (FLV tag headers excluded). */
  videoBitrate: number;
  audioBitrate: number;
  videoFPS: number;
  /** Seconds between the last two key frames, 0 before two have arrived. */
  videoGOP: number;
  /** kbps received on the socket, everything included. */
  netSpeed: number;
  /** ms, RFC 3550 interarrival jitter of video frames (see NetStatsMeter.jitterMs). */
  netJitter: number;
  videoWidth: number;
  videoHeight: number;
};

export interface NetStatsMeterOptions {
  /**
   * Stream-time window for rates. Default 2000 ms: long enough to hold a whole
   * GOP of the usual 1-2 s live GOP (a key frame is many times a delta frame,
   * so a shorter window swings with it), short enough to follow a change.
   * The window widens to the last GOP when the GOP is longer, up to maxWindowMs.
   */
  windowMs?: number;
  maxWindowMs?: number;
  /** Arrival-time window for netSpeed. Default 2000 ms. */
  netWindowMs?: number;
  /** A track with no frame for this long (arrival time) reports 0. Default 3000 ms. */
  staleMs?: number;
}

interface Track {
  frames: TimedSeries; // stream ts → payload bytes
  lastArrival: number;
  lastTs: number;
}

const newTrack = (): Track => ({ frames: new TimedSeries(), lastArrival: -Infinity, lastTs: -Infinity });

// A timestamp this far behind the last one means the stream restarted (reconnect) rather than reordering.
const RESTART_MS = 1000;

export class NetStatsMeter {
  private readonly opts: Required<NetStatsMeterOptions>;
  private readonly video = newTrack();
  private readonly audio = newTrack();
  private readonly net = new TimedSeries(); // arrival time → bytes
  private firstByteAt = NaN;
  private keyTimes: number[] = [];
  private jitter = 0;
  private prevJitter: { arrival: number; ts: number } | null = null;
  private sps: SpsInfo | null = null;
  videoFrames = 0;
  audioFrames = 0;
  keyFrames = 0;

  constructor(opts: NetStatsMeterOptions = {}) {
    this.opts = { windowMs: 2000, maxWindowMs: 10000, netWindowMs: 2000, staleMs: 3000, ...opts };
  }

  /** Configuration of the video from the last AVC sequence header, null before one. */
  get avc(): SpsInfo | null {
    return this.sps;
  }

  get width(): number {
    return this.sps?.width ?? 0;
  }

  get height(): number {
    return this.sps?.height ?? 0;
  }

  /**
   * RFC 3550 (6.4.1) interarrival jitter in ms over video frames: for
   * consecutive frames, D = (arrival difference) - (FLV timestamp
   * difference), and J += (|D| - J) / 16. A steady stream gives about 0; it
   * grows when frames arrive in bursts or with gaps. The first GOP of a
   * GOP-cache burst raises it for about a second. Audio is used when there is
   * no video.
   */
  get jitterMs(): number {
    return this.jitter;
  }

  /** Seconds between the last two key frames (stream time), 0 before two. */
  get gopSeconds(): number {
    const k = this.keyTimes;
    return k.length >= 2 ? (k[k.length - 1]! - k[k.length - 2]!) / 1000 : 0;
  }

  /** FLV timestamp of the last key frame, null before one. */
  get lastKeyFrameTs(): number | null {
    return this.keyTimes.length ? this.keyTimes[this.keyTimes.length - 1]! : null;
  }

  /** A new connection begins: its timestamps restart, so stream-time windows start over. Size and jitter stay. */
  discontinuity(): void {
    for (const t of [this.video, this.audio]) {
      t.frames.clear();
      t.lastTs = -Infinity;
    }
    this.keyTimes = [];
    this.prevJitter = null;
  }

  onBytes(n: number, atMs: number): void {
    if (Number.isNaN(this.firstByteAt)) this.firstByteAt = atMs;
    this.net.push(atMs, n);
  }

  onTag(tag: FlvTag, arrivalMs: number): void {
    if (tag.type === TAG_VIDEO) {
      const info = avcInfo(tag);
      if (info) this.sps = info;
    }
    if (!isMediaFrame(tag)) return;
    const isVideo = tag.type === TAG_VIDEO;
    const track = isVideo ? this.video : this.audio;
    if (tag.timestamp < track.lastTs - RESTART_MS) this.discontinuity();
    track.frames.push(tag.timestamp, payloadBytes(tag));
    track.lastTs = tag.timestamp;
    track.lastArrival = arrivalMs;
    if (isVideo) {
      this.videoFrames += 1;
      if (isVideoKeyFrame(tag)) {
        this.keyFrames += 1;
        this.keyTimes.push(tag.timestamp);
        if (this.keyTimes.length > 8) this.keyTimes.shift();
      }
    } else if (tag.type === TAG_AUDIO) this.audioFrames += 1;
    if (isVideo || this.videoFrames === 0) this.updateJitter(tag.timestamp, arrivalMs);
  }

  private updateJitter(ts: number, arrival: number): void {
    const prev = this.prevJitter;
    this.prevJitter = { arrival, ts };
    if (!prev) return;
    const d = arrival - prev.arrival - (ts - prev.ts);
    this.jitter += (Math.abs(d) - this.jitter) / 16;
  }

  /** The window a track's rates are taken over: at least one GOP, so each window holds one key frame. */
  private rateWindow(): number {
    const gop = this.gopSeconds * 1000;
    return Math.min(Math.max(this.opts.windowMs, gop), this.opts.maxWindowMs);
  }

  /** { kbps, fps } of a track over the window ending at its newest frame. */
  private rates(track: Track, nowMs: number): { kbps: number; fps: number } {
    const s = track.frames;
    s.dropUpTo(track.lastTs - this.rateWindow());
    if (s.count < 2 || nowMs - track.lastArrival > this.opts.staleMs) return { kbps: 0, fps: 0 };
    const covered = s.lastTime - s.firstTime;
    if (covered <= 0) return { kbps: 0, fps: 0 };
    // n frames span n intervals of media, not n-1: the newest frame lasts one interval too.
    const span = (covered * s.count) / (s.count - 1);
    return { kbps: (s.sum * 8) / span, fps: ((s.count - 1) * 1000) / covered };
  }

  /** kbps received on the socket over the last netWindowMs of arrival time. */
  netSpeedKbps(nowMs: number): number {
    this.net.dropUpTo(nowMs - this.opts.netWindowMs);
    if (this.net.count === 0) return 0;
    // Until a full window has passed since the first byte, divide by the time that has.
    const span = Math.max(Math.min(this.opts.netWindowMs, nowMs - this.firstByteAt), 100);
    return (this.net.sum * 8) / span;
  }

  sample(nowMs: number): NetStatusSample {
    const v = this.rates(this.video, nowMs);
    const a = this.rates(this.audio, nowMs);
    return {
      videoBitrate: Math.round(v.kbps),
      audioBitrate: Math.round(a.kbps),
      videoFPS: Math.round(v.fps * 10) / 10,
      videoGOP: Math.round(this.gopSeconds * 100) / 100,
      netSpeed: Math.round(this.netSpeedKbps(nowMs)),
      netJitter: Math.round(this.jitter),
      videoWidth: this.width,
      videoHeight: this.height,
    };
  }
}

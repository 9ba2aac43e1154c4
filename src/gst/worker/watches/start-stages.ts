// Deadlines for the way from a connection to its first picture. Each stage
// gets the stall timeout from the moment it began; the first one overdue is
// reported with its name, and the session counts the connection as dropped
// (2103, then the reconnect policy). After the picture, FlowHealth watches.
//
//   media     connected (or the HTTP response came), waiting for the first
//             audio or video message: a server that accepts the play and
//             sends nothing, only script data, or one message that never ends
//   key-frame audio or video arrives, no video key frame yet: waits a GOP,
//             so it has at least `keyFrameWaitMs` (x264's default keyint 250
//             at 25 fps is 10 s)
//   picture   a key frame (or, without video, audio) went to the pipeline and
//             nothing was rendered: a decoder that never produces a picture

export type StartStage = 'media' | 'key-frame' | 'picture';

export interface StageTimes {
  stallTimeoutMs: number;
  keyFrameWaitMs: number;
  /** Added to the picture stage: the fixed latency every frame waits on the clock before it renders. */
  latencyMs: number;
}

export class StartStages {
  private stage: StartStage | null = null;
  private since = 0;
  private bytes = 0;
  private tags = 0;

  constructor(private readonly t: StageTimes) {}

  get current(): StartStage | null {
    return this.stage;
  }

  /** A connection is up: the media stage begins. */
  arm(now: number): void {
    this.enter('media', now);
    this.bytes = 0;
    this.tags = 0;
  }

  /** No deadline: the picture came, the session was paused or the connection is gone. */
  disarm(): void {
    this.stage = null;
  }

  onBytes(n: number): void {
    this.bytes += n;
  }

  /** Any tag; `media` when it is an audio or video frame. */
  onTag(media: boolean, now: number): void {
    this.tags++;
    if (media && this.stage === 'media') this.enter('key-frame', now);
  }

  /** A key frame (or the first audio of a stream without video) went to the pipeline. */
  onKeyFrame(now: number): void {
    if (this.stage === 'media' || this.stage === 'key-frame') this.enter('picture', now);
  }

  /** The message for the stage that is overdue at `now` (and no deadline after it), or null. */
  check(now: number): string | null {
    if (this.stage === null) return null;
    const limit = this.limit(this.stage);
    const waited = now - this.since;
    if (waited <= limit) return null;
    const s = (waited / 1000).toFixed(1);
    const stage = this.stage;
    this.stage = null;
    switch (stage) {
      case 'media':
        return `timed out waiting for media: connected ${s} s ago and no audio or video arrived (${this.bytes} bytes, ${this.tags} other tags)`;
      case 'key-frame':
        return `timed out waiting for a key frame: audio or video for ${s} s and no video key frame`;
      default:
        return `timed out waiting for the picture: the first frame went to the decoder ${s} s ago and nothing was rendered`;
    }
  }

  private limit(stage: StartStage): number {
    if (stage === 'key-frame') return Math.max(this.t.stallTimeoutMs, this.t.keyFrameWaitMs);
    if (stage === 'picture') return this.t.stallTimeoutMs + this.t.latencyMs;
    return this.t.stallTimeoutMs;
  }

  private enter(stage: StartStage, now: number): void {
    this.stage = stage;
    this.since = now;
  }
}

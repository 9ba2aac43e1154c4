// The MediaEngine the player uses: each session runs in a throw-away worker
// process, and a spare worker is kept started (binding loaded, plugins
// probed, pipeline parsed) so `play` costs only the connection.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Attributes } from '../player/attributes';
import type { EngineEvents, MediaEngine, MediaSession, SessionOptions } from '../player/engine';
import { chooseAudioSink, chooseDecoder, chooseGeometry, chooseVideoSink, audioSinkDescription, videoSinkDescription, type AudioSinkPref, type DecoderPref, type VideoSinkPref } from './element-choice';
import { defaultLayout, type ScreenLayout } from './geometry';
import type { PipelineChoice } from './pipeline-description';
import type { WorkerPlan } from './ipc';
import { WorkerProcess } from './worker-process';
import { WorkerSessionHandle } from './session-handle';
import { probeFactories } from './probe';

export interface GstEngineOptions {
  decoder: DecoderPref;
  videoSink: VideoSinkPref;
  audioSink: AudioSinkPref;
  stallTimeoutMs: number;
  snapshotDir: string;
  audioDeviceSpeaker: string;
  audioDeviceEar: string;
  /** Where the window and the PiP corner sit on the screen (configuration); default: centred / bottom-right. */
  layout?: ScreenLayout;
  log: Logger;
}

/** How long after a session starts before the next spare is forked: its start-up would compete with the first frame for the CPU. */
const SPARE_DELAY_MS = 1500;

export class GstEngine implements MediaEngine {
  readonly restartKeys: readonly (keyof Attributes)[] = ['mode', 'minCache', 'maxCache', 'soundMode'];
  private spare: WorkerProcess | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private available = new Set<string>();
  private probing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly sessions = new Set<WorkerSessionHandle>();

  private readonly layout: ScreenLayout;

  constructor(private readonly opts: GstEngineOptions) {
    this.layout = opts.layout ?? defaultLayout();
  }

  /**
   * Learns which elements this board has and starts the first spare. Not
   * awaited by the daemon: HTTP serves meanwhile, and open() waits for it.
   */
  start(initial: Attributes): Promise<void> {
    this.probing = probeFactories().then((found) => {
      this.available = found;
      this.opts.log.info({ elements: [...found] }, 'media elements available');
      this.fillSpare(initial);
    });
    return this.probing;
  }

  open(opts: SessionOptions, events: EngineEvents): MediaSession {
    const worker = this.takeSpare(opts.attributes);
    const handle = new WorkerSessionHandle(worker, events, this.opts.log, opts, this.layout);
    this.sessions.add(handle);
    handle.onGone(() => this.sessions.delete(handle));
    void Promise.all([worker.ready, this.probing]).then(
      () => {
        const plan = this.plan(opts.attributes, this.available, handle);
        if (typeof plan === 'string') handle.fail(plan);
        else handle.begin(plan);
      },
      (err: Error) => handle.fail(err.message),
    );
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spareTimer = setTimeout(() => this.fillSpare(opts.attributes), SPARE_DELAY_MS);
    return handle;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.spareTimer) clearTimeout(this.spareTimer);
    const all = [...this.sessions].map((s) => s.stop());
    if (this.spare) all.push(this.spare.kill());
    this.spare = null;
    await Promise.all(all);
  }

  /** The pipeline a set of attributes needs, from configuration and what the board has. */
  choice(attrs: Attributes, available: Set<string>): PipelineChoice | string {
    const probe = { env: process.env, exists: existsSync };
    const dec = chooseDecoder(this.opts.decoder, (f) => available.has(f));
    if (!dec.ok) return dec.error;
    const sink = chooseVideoSink(this.opts.videoSink, probe);
    const geometry = chooseGeometry(sink, (f) => available.has(f));
    return {
      variant: attrs.mode === 'RTC' ? 'rtc' : 'live',
      // Slice threads only: frame threading holds the first picture back by a
      // frame interval (measured: 54-59 ms after the key frame, 27-30 ms without).
      video_decoder: dec.kind === 'software' ? `${dec.element} thread-type=slice` : dec.element,
      video_sink: videoSinkDescription(sink),
      audio_sink: audioSinkDescription(chooseAudioSink(this.opts.audioSink, probe)),
      rotate_left: geometry.rotateLeft,
      rotate_right: geometry.rotateRight,
    };
  }

  private plan(attrs: Attributes, available: Set<string>, handle: WorkerSessionHandle): WorkerPlan | string {
    const choice = this.choice(attrs, available);
    if (typeof choice === 'string') return choice;
    const dec = chooseDecoder(this.opts.decoder, (f) => available.has(f));
    const geometry = chooseGeometry(chooseVideoSink(this.opts.videoSink, { env: process.env, exists: existsSync }), (f) => available.has(f));
    return {
      src: attrs.src,
      choice,
      decoderFallback: dec.ok ? dec.fallback : undefined,
      muted: attrs.muted,
      minCacheMs: attrs.minCache * 1000,
      maxCacheMs: attrs.maxCache * 1000,
      stallTimeoutMs: this.opts.stallTimeoutMs,
      connectTimeoutMs: 5000,
      handshakeTimeoutMs: 5000,
      snapshotDir: this.opts.snapshotDir,
      audioDevice: attrs.soundMode === 'ear' ? this.opts.audioDeviceEar : this.opts.audioDeviceSpeaker,
      view: handle.currentView(),
      screen: this.layout.screen,
      scale: geometry.scale,
      place: geometry.place,
    };
  }

  private takeSpare(attrs: Attributes): WorkerProcess {
    if (!this.spare) this.fillSpare(attrs);
    const w = this.spare!;
    this.spare = null;
    return w;
  }

  private fillSpare(attrs: Attributes): void {
    if (this.closed || this.spare) return;
    const w = new WorkerProcess(this.opts.log, (dead, why) => {
      if (this.spare === dead) {
        this.opts.log.warn({ why }, 'spare media worker died; starting another');
        this.spare = null;
        setTimeout(() => this.fillSpare(attrs), 1000);
      }
    });
    this.spare = w;
    void w.ready.then(() => {
      const choice = this.choice(attrs, this.available);
      if (typeof choice !== 'string') w.send({ t: 'prepare', choice });
    }, () => undefined);
  }
}

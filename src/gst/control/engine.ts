// The MediaEngine the player uses: each session runs in a throw-away worker
// process, and a spare worker is kept started (binding loaded, plugins
// probed, pipeline parsed) so `play` costs only the connection.
import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Attributes } from '../../player/attributes';
import type { EngineEvents, MediaEngine, MediaSession, SessionOptions } from '../../player/engine';
import { chooseAudioSink, chooseDecoder, chooseGeometry, chooseVideoSink, audioSinkDescription, decoderDescription, softwareDecoder, videoSinkDescription, wordsOnScreen, type AudioSinkPref, type DecoderChoice, type DecoderPref, type GeometryPath, type VideoSinkPref } from '../element-choice';
import { defaultLayout, type ScreenLayout } from '../../player/view';
import type { PipelineChoice } from '../pipeline-description';
import type { PictureFile, SessionPlan, Still } from '../protocol';
import { WorkerProcess } from './child-process';
import { takeEarlyWorker } from './early-worker';
import { WorkerSessionHandle } from './session-handle';
import { probeFactories } from './probe';

export interface GstEngineOptions {
  decoder: DecoderPref;
  videoSink: VideoSinkPref;
  audioSink: AudioSinkPref;
  stallTimeoutMs: number;
  /** Extra trusted CA certificates (PEM, --ca-file). */
  caCerts?: string[];
  snapshotDir: string;
  audioDeviceSpeaker: string;
  audioDeviceEar: string;
  /** Where the window and the PiP corner sit on the screen (configuration); default: centred / bottom-right. */
  layout?: ScreenLayout;
  /**
   * `playing`: a spare worker stands by while a session plays too, so a
   * src switch, a restart or the software fallback starts warm. `idle`: the
   * spare is given up while a session plays (one Node runtime less) and
   * started again once the last session is gone; such a start is cold.
   */
  spareWorker?: 'playing' | 'idle';
  /** Test hook (FAILING_TEST_DECODER_ENV): `auto` starts with a decoder that fails on the first key frame. */
  testFailingDecoder?: boolean;
  log: Logger;
}

/** Which decoder a plan uses: as configured, or software after the hardware one failed (2108). */
type DecoderRoute = 'configured' | 'software';

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
    });
    // The first spare starts with the probe, not after it: its Node start and
    // the binding's load overlap the gst-inspect runs, and it is told what to
    // prepare once both are done.
    this.fillSpare(initial);
    return this.probing;
  }

  open(opts: SessionOptions, events: EngineEvents): MediaSession {
    const worker = this.takeSpare(opts.attributes);
    const handle = new WorkerSessionHandle(worker, events, this.opts.log, opts, this.layout, (attrs) => this.softwareSession(attrs));
    this.sessions.add(handle);
    handle.onGone(() => {
      this.sessions.delete(handle);
      if (!this.spareWhilePlaying && this.wantSpare()) this.scheduleSpare(opts.attributes);
    });
    void Promise.all([worker.ready, this.probing]).then(
      () => {
        const plan = this.plan(opts.attributes, this.available);
        if (typeof plan === 'string') handle.fail(plan);
        else handle.begin(plan);
      },
      (err: Error) => handle.fail(err.message),
    );
    if (this.spareWhilePlaying) this.scheduleSpare(opts.attributes);
    return handle;
  }

  /**
   * For a session whose hardware decoder failed on the first key frame: a
   * fresh worker and a plan with the software decoder (the binding cannot
   * rebuild a pipeline in place, and a new process leaves the failed
   * decoder's state behind). A string says why there is none.
   */
  private softwareSession(attrs: Attributes): { worker: WorkerProcess; plan: SessionPlan } | string {
    const plan = this.plan(attrs, this.available, 'software');
    if (typeof plan === 'string') return plan;
    const worker = this.takeSpare(attrs);
    if (this.spareWhilePlaying) this.scheduleSpare(attrs);
    return { worker, plan };
  }

  private get spareWhilePlaying(): boolean {
    return this.opts.spareWorker !== 'idle';
  }

  /** Whether a spare should stand by now: always, or (policy `idle`) while no session holds a worker. */
  private wantSpare(): boolean {
    return this.spareWhilePlaying || this.sessions.size === 0;
  }

  private scheduleSpare(attrs: Attributes): void {
    if (this.spareTimer) clearTimeout(this.spareTimer);
    // Checked again when the timer fires: a session may have started meanwhile.
    this.spareTimer = setTimeout(() => this.wantSpare() && this.fillSpare(attrs), SPARE_DELAY_MS);
  }

  /**
   * The picture the newest session's sink shows now, at most `maxWidth`
   * wide, or null when there is none (for the TV's dimmed backdrop).
   */
  async shownFrame(maxWidth: number): Promise<Still | null> {
    const newest = [...this.sessions].pop();
    if (!newest) return null;
    try {
      return await newest.still(maxWidth);
    } catch (err) {
      this.opts.log.debug({ err: (err as Error).message }, 'no picture for the TV backdrop');
      return null;
    }
  }

  /** The TV's pairing card over the newest session's picture (a PNG, base64), or null to take it away. */
  showCorner(png: string | null): boolean {
    const newest = [...this.sessions].pop();
    newest?.corner(png);
    return newest !== undefined;
  }

  /** The TV's words on the newest session's screen, or null to take them away; false when no session took them. */
  showWords(picture: PictureFile | null): boolean {
    const newest = [...this.sessions].pop();
    return newest?.words(picture) ?? false;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.spareTimer) clearTimeout(this.spareTimer);
    const all = [...this.sessions].map((s) => s.stop());
    if (this.spare) all.push(this.spare.kill());
    this.spare = null;
    await Promise.all(all);
  }

  private decoder(available: Set<string>, route: DecoderRoute): DecoderChoice {
    const has = (f: string) => available.has(f);
    if (route === 'software') return softwareDecoder(has);
    return chooseDecoder(this.opts.decoder, has, { failingTestDecoder: this.opts.testFailingDecoder });
  }

  /** The pipeline a set of attributes needs, from configuration and what the board has, with the decoder and geometry it was made of. */
  private select(attrs: Attributes, available: Set<string>, route: DecoderRoute): { choice: PipelineChoice; dec: Extract<DecoderChoice, { ok: true }>; geometry: GeometryPath } | string {
    const probe = { env: process.env, exists: existsSync };
    const dec = this.decoder(available, route);
    if (!dec.ok) return dec.error;
    const sink = chooseVideoSink(this.opts.videoSink, probe);
    const geometry = chooseGeometry(sink, (f) => available.has(f));
    const choice: PipelineChoice = {
      variant: attrs.mode === 'RTC' ? 'rtc' : 'live',
      video_decoder: decoderDescription(dec),
      video_sink: videoSinkDescription(sink),
      audio_sink: audioSinkDescription(chooseAudioSink(this.opts.audioSink, probe)),
      rotate_left: geometry.rotateLeft,
      rotate_right: geometry.rotateRight,
      screen_words: wordsOnScreen(sink),
    };
    return { choice, dec, geometry };
  }

  /** The pipeline a set of attributes needs (what a spare prepares). */
  choice(attrs: Attributes, available: Set<string>, route: DecoderRoute = 'configured'): PipelineChoice | string {
    const s = this.select(attrs, available, route);
    return typeof s === 'string' ? s : s.choice;
  }

  private plan(attrs: Attributes, available: Set<string>, route: DecoderRoute = 'configured'): SessionPlan | string {
    const s = this.select(attrs, available, route);
    if (typeof s === 'string') return s;
    const { choice, dec, geometry } = s;
    return {
      src: attrs.src,
      choice,
      decoderFallback: dec.fallback,
      hardwareDecoder: dec.hardware ? (dec.kind === 'failing-test' ? 'the failing test decoder' : dec.element) : undefined,
      minCacheMs: attrs.minCache * 1000,
      maxCacheMs: attrs.maxCache * 1000,
      stallTimeoutMs: this.opts.stallTimeoutMs,
      connectTimeoutMs: 5000,
      handshakeTimeoutMs: 5000,
      ca: this.opts.caCerts?.length ? this.opts.caCerts : undefined,
      snapshotDir: this.opts.snapshotDir,
      audioDevice: attrs.soundMode === 'ear' ? this.opts.audioDeviceEar : this.opts.audioDeviceSpeaker,
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
    const early = takeEarlyWorker();
    if (early) this.opts.log.debug({ pid: early.child.pid, ready: early.held.length > 0 }, 'the first spare is the worker forked before the daemon loaded');
    const w = new WorkerProcess(
      this.opts.log,
      (dead, why) => {
        if (this.spare === dead) {
          this.opts.log.warn({ why }, 'spare media worker died; starting another');
          this.spare = null;
          setTimeout(() => this.wantSpare() && this.fillSpare(attrs), 1000);
        }
      },
      early ?? undefined,
    );
    this.spare = w;
    // Registered before any open() can wait on the same two, so a session's
    // plan never overtakes this prepare.
    void Promise.all([w.ready, this.probing]).then(() => {
      const choice = this.choice(attrs, this.available);
      if (typeof choice !== 'string') w.send({ t: 'prepare', choice });
    }, () => undefined);
  }
}

// One playback session inside a media worker: the stream reader feeds FLV
// tags through the muxer into appsrc, the bus and the reader's evidence
// become status codes, and the meter turns the stream into netstatus.
import { performance } from 'node:perf_hooks';
import type { BusMessage } from './bus-codes';
import { mapBusMessage, type BusRule } from './bus-codes';
import { readFileSync, rmSync } from 'node:fs';
import type { FromWorker, PictureFile, ToWorker, WorkerPlan } from '../protocol';
import type { StatusCode } from '../../player/status-codes';
import { createReader, readGapFor } from '../../media/reader';
import type { FlvTag, ReaderFailure, StreamReader } from '../../media/types';
import { FeedGate } from '../../media/feed/feed-gate';
import { ContinuousTimeline } from '../../media/feed/timeline';
import { StreamWatch } from '../../media/feed/stream-watch';
import { DecodeWatch } from './watches/decode-watch';
import { takeSnapshot } from './snapshot';
import { lastSampleRaster } from './last-frame';
import { ScreenWords } from './screen-words';
import { showCorner } from './corner';
import { isMediaFrame, TAG_SCRIPT, TAG_VIDEO, unsupportedVideoCodec } from '../../media/flv/tags';
import { GeometryApplier } from './geometry-apply';
import { FirstPictureWatch } from './watches/first-picture-watch';
import { cachePolicy } from '../../media/feed/catch-up';
import { DelayControl } from '../../media/feed/delay-control';
import { RenderWatch } from './watches/render-watch';
import { kickPastPreroll } from './preroll-kick';
import { FlowHealth } from '../../media/feed/flow-health';
import { StartStages } from './watches/start-stages';
import { ScriptGuard } from '../../media/feed/script-guard';
import { StateDriver } from './state-driver';
import { refuseTag } from '../../media/limits';
import type { GstElement, GstPipeline } from './binding';

const TICK_MS = 1000;

/** No tag for this long while playing means the buffer is running dry (2007). */
const DRY_MS = 1000;
/**
 * The last line against a frozen picture under "playing": after this many
 * ticks with nothing rendered while frames arrive, the feed is re-synced
 * (dropped up to the next key frame, timeline rebased) ...
 */
const RESYNC_AFTER_TICKS = 2;
/** ... and if the picture still stands, the session asks for a fresh one (the daemon replaces the worker: 2103). */
const FRESH_AFTER_TICKS = 4;
/** The longest wait for a key frame: x264's default GOP (keyint 250) at 25 fps is 10 s, and 2 s for arrival and the once-a-second check. */
const KEY_FRAME_WAIT_MS = 12000;
/** How often a hardware decoder is checked for its first picture. */
const FIRST_PICTURE_POLL_MS = 250;

/**
 * The session's life, kept apart from the pipeline's own states (as GstPlay
 * keeps its application state): prerolling until the first media frame is
 * in (PAUSED, so the running time starts at that frame), running (PLAYING),
 * held while live mode waits for data after the buffer ran dry (PAUSED),
 * paused by the user (PAUSED), finished once this pipeline is given up
 * (a failed hardware decoder, a frozen picture) and nothing may move it.
 */
export type Phase = 'prerolling' | 'running' | 'held' | 'paused' | 'finished';

export class WorkerSession {
  private reader: StreamReader | null = null;
  private readonly gate = new FeedGate();
  private readonly timeline = new ContinuousTimeline();
  private readonly watch = new StreamWatch();
  private readonly rules = new Set<BusRule>();
  private readonly src: GstElement;
  private readonly decode: DecodeWatch;
  private readonly geometry: GeometryApplier;
  private readonly delay: DelayControl;
  private readonly renders: RenderWatch;
  private readonly health: FlowHealth;
  private readonly stages: StartStages;
  private readonly scripts = new ScriptGuard();
  private readonly driver: StateDriver;
  private readonly words: ScreenWords;
  /** Where the session is in its life; the pipeline's state follows from it alone (see enter()). */
  private phase: Phase = 'prerolling';
  /** Until then no frame after the first is due: the minCache buffer is filling (no 2105). */
  private fillingUntil = 0;
  private tick: NodeJS.Timeout | null = null;
  private firstPicturePoll: NodeJS.Timeout | null = null;
  private connection = 0;
  private firstFrame = false;
  private awaitingFrameAfterReconnect = false;
  private sentKeyFrame = false;
  /** The stream cannot be decoded here (its codec): nothing more is fed. */
  private unplayable = false;
  /** The stream has sent no video: audio alone plays (see startAudioOnly). */
  private audioOnly = false;
  /** Since the last reconnect, the wait for the picture (or sound) to come back has begun. */
  private watchingReturn = false;
  /** The connection was lost and the next one is not open yet. */
  private linkDown = false;
  /** The TV's words took the video sink before the stream's first picture (its preroll is then theirs). */
  private wordsBeforePicture = false;

  constructor(
    private readonly pipeline: GstPipeline,
    private readonly plan: WorkerPlan,
    private readonly send: (m: FromWorker) => void,
  ) {
    const src = pipeline.findChild('src');
    if (!src || typeof src.push !== 'function') throw new Error('pipeline has no appsrc named "src"');
    this.src = src;
    this.driver = new StateDriver(pipeline, () => this.phase === 'running');
    this.decode = new DecodeWatch(pipeline);
    this.geometry = new GeometryApplier(pipeline);
    this.renders = new RenderWatch(pipeline);
    this.words = new ScreenWords(pipeline, this.renders);
    this.health = new FlowHealth({ tickMs: TICK_MS, dryMs: DRY_MS, stallTimeoutMs: plan.stallTimeoutMs });
    const policy = cachePolicy(plan.choice.variant, plan.minCacheMs / 1000, plan.maxCacheMs / 1000);
    this.delay = new DelayControl(policy, this.gate, (name) => pipeline.findChild(name)?.['last-message']);
    this.stages = new StartStages({ stallTimeoutMs: plan.stallTimeoutMs, keyFrameWaitMs: KEY_FRAME_WAIT_MS, latencyMs: this.delay.policy.latencyMs });
  }

  start(): void {
    this.applyProperties();
    // The fixed latency is the minCache floor: every frame waits that long on the clock.
    if (this.delay.policy.latencyMs > 0) (this.pipeline as unknown as { latency: number }).latency = this.delay.policy.latencyMs / 1000;
    // The cache meter and the live delay read the PTS of the last decoded
    // buffers from these (last-message names the frame just handed to the sink).
    for (const name of ['vdecout', 'adecout']) {
      const el = this.pipeline.findChild(name);
      if (el) el.silent = false;
    }
    this.applyView();
    if (this.plan.decoderFallback) this.send({ t: 'code', code: 2106, detail: this.plan.decoderFallback });
    this.pipeline.pollBus((m) => this.onBus(m));
    // The socket first: the state change blocks for its synchronous part, and
    // the TCP connect and handshake can be on the way meanwhile.
    this.connect();
    // PAUSED until the first key frame is in: the live appsrc queues what is
    // pushed, and PLAYING then starts the running time at that frame. Playing
    // at once started the clock while the reader still waited for a key frame
    // (up to a GOP on a server without GOP cache): every sample was late by that
    // much and alsasink dropped them all (silence), video sinks with max-lateness would too.
    this.drive();
    this.tick = setInterval(() => this.onTick(), TICK_MS);
    if (this.plan.hardwareDecoder) this.watchFirstPicture();
  }

  command(c: ToWorker): void {
    switch (c.t) {
      case 'reconnect':
        this.connect();
        break;
      case 'pause':
        // A paused session waits for nobody; the connection's stall is FlowHealth's after the resume.
        this.stages.disarm();
        this.enter('paused');
        this.send({ t: 'done', id: c.id, cmd: 'pause' });
        break;
      case 'resume':
        // Live: what arrived while paused is dropped and the timeline rebased,
        // so the picture resumes at the live edge instead of waiting out the pause.
        this.gate.discontinuity();
        this.delay.resume();
        // Still before the picture: the wait for it starts again, with its deadlines.
        if (!this.firstFrame || this.awaitingFrameAfterReconnect) this.stages.arm(performance.now());
        this.enter('running');
        this.send({ t: 'done', id: c.id, cmd: 'resume' });
        break;
      case 'update':
        this.plan.muted = c.muted;
        this.plan.volume = c.volume;
        this.plan.audioDevice = c.audioDevice;
        this.applyProperties();
        break;
      case 'geometry':
        this.plan.view = c.view;
        this.applyView();
        break;
      case 'snapshot':
        takeSnapshot(this.pipeline, c.req, this.plan.snapshotDir, () => this.words.streamPicture()).then(
          (result) => this.send({ t: 'reply', id: c.id, ok: true, result }),
          (err: Error) => this.send({ t: 'reply', id: c.id, ok: false, error: err.message }),
        );
        break;
      case 'corner':
        showCorner(this.pipeline, c.png, this.plan.screen);
        break;
      case 'words':
        this.showWords(c.picture);
        break;
      case 'still':
        try {
          const r = lastSampleRaster(this.words.streamPicture(), c.maxWidth);
          this.send({ t: 'still', id: c.id, still: { width: r.width, height: r.height, rgba: r.data.toString('base64') } });
        } catch (err) {
          this.send({ t: 'still', id: c.id, error: (err as Error).message });
        }
        break;
      default:
        break;
    }
  }

  private applyProperties(): void {
    const vol = this.pipeline.findChild('vol');
    if (vol) {
      vol.mute = this.plan.muted;
      vol.volume = this.plan.volume;
    }
    if (this.plan.choice.variant === 'live') {
      // minCache is the latency the live source declares: sinks render each
      // frame that much after its running time, so audio arriving a little
      // after video (interleaving, AAC decoder delay) is not late and dropped
      // by the audio sink. Without it alsasink played mostly silence.
      this.src['min-latency'] = this.plan.minCacheMs * 1e6;
      // Room for maxCache and a second more; the catch-up keeps the delay under maxCache.
      const ns = (Math.max(this.plan.maxCacheMs, 1000) + 1000) * 1e6;
      for (const q of ['vq', 'aq']) {
        const el = this.pipeline.findChild(q);
        if (el) el['max-size-time'] = ns;
      }
    }
    const asink = this.pipeline.findChild('asink');
    if (asink && this.plan.audioDevice && this.plan.choice.audio_sink.startsWith('alsasink')) asink.device = this.plan.audioDevice;
  }

  private applyView(): void {
    const { view, screen, scale, place } = this.plan;
    this.geometry.apply(view, screen, scale, place);
  }

  // Each connection gets a number so a late event of a replaced reader is ignored.
  private connect(): void {
    this.reader?.close();
    const id = ++this.connection;
    const live = () => id === this.connection;
    if (id > 1) {
      this.timeline.discontinuity();
      this.gate.discontinuity();
      this.watch.discontinuity();
      this.sentKeyFrame = false;
      this.awaitingFrameAfterReconnect = this.firstFrame;
      this.watchingReturn = false;
      this.delay.discontinuity();
    }
    this.linkDown = false;
    // A first picture the last connection never showed leaves no sink off the clock.
    this.words.resync();
    this.health.fed(performance.now());
    // The reader's own timers cover DNS, TCP and the handshake; the stages begin once it is connected.
    this.stages.disarm();
    this.scripts.reset();
    this.reader = createReader(
      this.plan.src,
      {
        connected: (info) => {
          if (!live()) return;
          this.stages.arm(performance.now());
          this.code(2001, `${info.address}:${info.port} in ${info.ms.toFixed(0)} ms`);
        },
        started: () => live() && this.code(2002),
        tag: (tag, at) => live() && this.onTag(tag, at),
        bytes: (n) => {
          if (!live()) return;
          this.stages.onBytes(n);
          this.watch.onBytes(n, performance.now());
        },
        ended: (detail) => live() && this.send({ t: 'ended', detail }),
        failed: (f) => live() && this.onReaderFailed(f),
      },
      {
        connectTimeoutMs: this.plan.connectTimeoutMs,
        handshakeTimeoutMs: this.plan.handshakeTimeoutMs,
        ca: this.plan.ca,
        steadyReadGapMs: readGapFor(this.delay.policy.latencyMs),
      },
    );
    this.reader!.start();
  }

  private onTag(raw: FlvTag, at: number): void {
    if (this.unplayable) return;
    const refused = refuseTag(raw);
    if (refused) return this.dropConnection(refused);
    // flvdemux would take such a tag and the pipeline fail with a bare
    // "internal data stream error": name the codec instead, and do not retry
    // (the encoder's setting, not the network, is what must change).
    const codec = unsupportedVideoCodec(raw);
    if (codec) {
      this.unplayable = true;
      this.reader?.close();
      this.send({ t: 'failed', code: null, detail: `no decoder for the stream's video codec (${codec}); only H.264 (AVC) is supported` });
      return;
    }
    this.health.fed(at);
    this.stages.onTag(isMediaFrame(raw), at);
    for (const e of this.watch.onTag(raw, at)) this.code(e.code, e.detail);
    // From here on, stream time is continuous: a jump in the input would
    // otherwise freeze the picture or mislead the delay meter.
    const { tag, moved } = this.timeline.mend(raw, at);
    if (moved !== null) this.send({ t: 'log', level: 'info', msg: 'stream timestamps jumped: mended onto a continuous timeline', data: { fromTs: raw.timestamp, movedMs: moved } });
    const videoFrame = tag.type === TAG_VIDEO && isMediaFrame(tag);
    if (videoFrame) this.delay.onArrival(tag.timestamp, at);
    if (this.phase === 'paused' || this.phase === 'finished') return;
    if (tag.type === TAG_SCRIPT && !this.scripts.allow(at, this.phase !== 'prerolling')) return;
    if (this.phase === 'held') {
      this.fillingUntil = at + this.delay.policy.latencyMs + TICK_MS;
      this.enter('running');
    }
    const out = this.gate.accept(tag);
    if (!out) return;
    // The stream's own picture (or, without video, its sound) is on its way: the words step aside.
    if (this.words.showing && (out.keyFrame || this.audioOnly || this.gate.audioOnlyStream)) this.hideWords(!out.keyFrame);
    if (!this.audioOnly && this.gate.audioOnlyStream) {
      this.stages.onKeyFrame(at);
      this.startAudioOnly();
    }
    // Without video, the first audio of a new connection is what a key frame is otherwise.
    else if (this.audioOnly) {
      this.stages.onKeyFrame(at);
      this.watchReturn();
    }
    this.delay.onPushed(out.frames);
    // The gate lets no media frame through before the first key frame, except
    // audio of a stream that turned out to have no video: either starts the clock.
    if (this.phase === 'prerolling' && isMediaFrame(tag)) {
      this.fillingUntil = at + this.delay.policy.latencyMs + TICK_MS;
      this.enter('running');
    }
    if (out.keyFrame) this.stages.onKeyFrame(at);
    if (out.keyFrame && !this.sentKeyFrame) {
      this.sentKeyFrame = true;
      this.code(2003, `at stream time ${tag.timestamp} ms`);
      this.watchReturn();
    }
    this.src.push!(out.bytes);
  }

  private onReaderFailed(f: ReaderFailure): void {
    this.linkDown = true;
    // An audio sink drops late samples and never catches up: with the clock
    // running through the outage, audio after a reconnect was all late and
    // the output silent (measured on nginx-rtmp). Hold the clock instead,
    // as live mode does on 2007; the first tag of the new connection lets it go.
    if (this.audioOnly && this.firstFrame && this.phase === 'running') this.enter('held');
    this.stages.disarm();
    // What the peer sent, if anything, is for the debug log only (never a status message).
    if (f.debug) this.send({ t: 'log', level: 'debug', msg: 'stream reader failure: what the peer sent', data: { kind: f.kind, peer: f.debug } });
    // An untrusted certificate stays untrusted: retrying cannot help.
    if (f.code === -2302 || f.kind === 'tls-untrusted') this.send({ t: 'failed', code: f.code, detail: f.detail });
    else this.send({ t: 'dropped', code: f.code, detail: f.detail });
  }

  private onBus(m: BusMessage): void {
    const v = mapBusMessage(m, this.rules);
    // After a decoder failure the rest of the pipeline errors too (not-linked, data flow): not news.
    if (!v || this.phase === 'finished') return;
    if (v.kind === 'decoder-error' && this.plan.hardwareDecoder && !this.firstFrame) {
      this.hardwareDecoderFailed(v.detail);
    } else if (v.kind === 'code') {
      // The sink's preroll was the words' frame: the picture's own first frame is counted in hideWords().
      if (v.code === 2004 && this.wordsBeforePicture) return;
      if (v.code === 2004) {
        this.firstFrame = true;
        this.stages.disarm();
        this.playPastPreroll();
      }
      this.code(v.code, v.detail);
    } else if (v.kind === 'late') {
      this.decode.onLate(v.element, v.dropped);
    } else if (v.kind === 'volume') {
      if (Number.isFinite(v.rmsDb)) this.send({ t: 'volume', volume: Math.round(Math.max(0, Math.min(100, 100 * Math.pow(10, v.rmsDb / 20)))) });
    } else {
      this.reader?.close();
      this.send({ t: 'failed', code: null, detail: v.detail });
    }
  }

  private playPastPreroll(): void {
    kickPastPreroll({
      // A PAUSED -> PLAYING round trip within `running`: the phase stays, only the pipeline is set again.
      pipeline: { pause: () => this.drive('PAUSED'), play: () => this.drive() },
      renders: this.renders,
      latencyMs: this.delay.policy.latencyMs,
      mayPlay: () => this.phase === 'running',
      wanted: () => this.phase !== 'finished',
      repeated: (repeat, rendered) =>
        this.send({ t: 'log', level: 'info', msg: 'video sink still waiting in preroll: PAUSED -> PLAYING again', data: { repeat, rendered } }),
    });
  }

  // A stream without video (a radio-style lesson, a microphone only): the
  // video sink would wait for a first frame for ever and hold the pipeline
  // short of PLAYING, so the stream stayed `connecting` and played nothing.
  // The sink stops taking part in the state change, and the first audio the
  // audio sink renders counts as the start of playback (2004, said so).
  private startAudioOnly(): void {
    this.audioOnly = true;
    const vsink = this.pipeline.findChild('vsink');
    if (vsink) vsink.async = false;
    // Set again so the state change completes without the video sink; from prerolling the caller starts the clock.
    if (this.phase === 'running') this.drive();
    const conn = this.connection;
    this.renders.whenRendered('asink', this.renders.rendered('asink'), () => conn === this.connection && this.phase !== 'finished', () => {
      this.firstFrame = true;
      this.stages.disarm();
      this.code(2004, 'audio only: the stream has no video; first audio played');
    });
  }

  // Bus errors are one way a hardware decoder fails; silence is the other.
  private watchFirstPicture(): void {
    const watch = new FirstPictureWatch(this.pipeline);
    this.firstPicturePoll = setInterval(() => {
      if (this.phase === 'paused') return;
      const { verdict, framesIn } = watch.check(performance.now());
      if (verdict === 'ok') clearInterval(this.firstPicturePoll!);
      else if (verdict === 'failed') this.hardwareDecoderFailed(`${this.plan.hardwareDecoder}: no picture after ${framesIn} frames in`);
    }, FIRST_PICTURE_POLL_MS);
  }

  // This pipeline is finished (the binding cannot rebuild it in place): stop
  // reading and let the daemon go on with a software decoder in a fresh worker.
  private hardwareDecoderFailed(detail: string): void {
    if (this.phase === 'finished') return;
    this.enter('finished');
    if (this.firstPicturePoll) clearInterval(this.firstPicturePoll);
    if (this.tick) clearInterval(this.tick);
    this.reader?.close();
    this.connection++;
    this.send({ t: 'decoder-failed', detail });
  }

  private onTick(): void {
    const now = performance.now();
    if (this.phase === 'paused' || this.phase === 'finished') return;
    const scriptsDropped = this.scripts.takeDropped();
    if (scriptsDropped > 0) this.send({ t: 'log', level: 'info', msg: 'script data tags dropped (more than a stream sends)', data: { count: scriptsDropped } });
    const late = this.stages.check(now);
    if (late) return this.dropConnection(late);
    if (!this.firstFrame) return;
    for (const c of this.decode.check()) this.code(c.code, c.detail);
    const { dryFor, stalledFor } = this.health.flow(now);
    if (dryFor !== null) {
      this.code(2007, `no media for ${(dryFor / 1000).toFixed(1)} s`);
      // Live mode waits for the stream instead of letting the clock run past
      // it: what arrives after the gap plays in full with the minCache buffer
      // in front of it, and a delay that grows too long is cut by the catch-up.
      // RTC lets the clock run: late frames are dropped, latency stays lowest.
      if (this.delay.policy.latencyMs > 0 && this.phase === 'running') this.enter('held');
    }
    if (stalledFor !== null) return this.dropConnection(`connection open but no media for ${(stalledFor / 1000).toFixed(1)} s`);
    const { info: net, jitter } = this.watch.sample(now);
    if (jitter) this.code(jitter.code, jitter.detail);
    const quiet = this.awaitingFrameAfterReconnect || this.phase === 'held' || now < this.fillingUntil;
    const { renderFPS, froze, stillTicks } = this.health.picture(this.renders.rendered(), net.videoFPS ?? 0, quiet);
    if (froze) this.code(2105, `no frame rendered for ${TICK_MS} ms while ${net.videoFPS} fps arrive`);
    if (stillTicks === RESYNC_AFTER_TICKS) this.resync(stillTicks);
    if (stillTicks >= FRESH_AFTER_TICKS) {
      this.enter('finished');
      if (this.tick) clearInterval(this.tick);
      this.reader?.close();
      this.connection++;
      this.send({ t: 'frozen', detail: `picture frozen for ${stillTicks} s while ${net.videoFPS} fps arrive; re-sync did not help, starting a fresh session` });
      return;
    }
    const liveDelay = this.delay.liveDelay(now);
    this.judgeDelay(liveDelay, now);
    const info: Record<string, number> = { ...net, ...this.delay.buffered(), renderFPS, droppedFrames: this.decode.droppedFrames };
    if (liveDelay !== null) info.liveDelay = liveDelay;
    this.send({ t: 'netstatus', info });
    this.code(2005, `${info.videoFPS ?? 0} fps, ${info.netSpeed ?? 0} kbps`);
  }

  // The frames in the pipeline are not shown (a timeline the clock will
  // not reach, a decoder stuck on a broken reference): what comes next is
  // fed from the next key frame on, on a timeline continuing the output.
  private resync(stillTicks: number): void {
    this.send({ t: 'log', level: 'warn', msg: 'picture frozen while frames arrive: re-syncing to the next key frame', data: { stillTicks } });
    this.code(2105, `picture frozen for ${stillTicks} s while frames arrive; re-syncing to the next key frame`);
    this.timeline.discontinuity();
    this.gate.discontinuity();
    this.delay.discontinuity();
    this.sentKeyFrame = false;
    if (this.phase === 'held') this.enter('running');
    else if (this.phase === 'running') this.drive();
  }

  // Cuts are rare, and each is worth a log line: it explains a jump in the picture.
  private judgeDelay(delayMs: number | null, now: number): void {
    const cut = this.delay.judge(delayMs, now, this.phase !== 'held' && !this.health.buffering);
    if (!cut) return;
    const { latencyMs, ceilingMs, targetMs } = this.delay.policy;
    this.send({
      t: 'log',
      level: 'info',
      msg: 'live delay over the maximum cache: catching up to the live edge',
      data: { liveDelay: cut.delayMs, skipMs: cut.skipMs, ceilingMs, targetMs, latencyMs, mode: this.plan.choice.variant },
    });
  }

  // After a reconnect, 2004 once the picture (the sound, without video) is
  // back. Frames queued before the drop may still render first; only one
  // rendered past those means the new connection's media reaches the screen.
  private watchReturn(): void {
    if (!this.awaitingFrameAfterReconnect || this.watchingReturn) return;
    this.watchingReturn = true;
    const sink = this.audioOnly ? 'asink' : 'vsink';
    const queued = this.audioOnly ? 0 : Math.round(this.delay.buffered().videoCache / (this.watch.frameIntervalMs ?? 40));
    const conn = this.connection;
    this.renders.whenRendered(sink, this.renders.rendered(sink) + queued, () => conn === this.connection && this.awaitingFrameAfterReconnect, () => {
      this.awaitingFrameAfterReconnect = false;
      this.stages.disarm();
      this.code(2004, this.audioOnly ? 'audio only: first audio played after reconnecting' : 'first frame rendered after reconnecting');
    });
  }

  // The TV's words on the screen itself (the whole screen, from a file this removes),
  // while no frame of the stream is due: before its first picture, after a
  // drop, while paused or held. Over a picture that plays they would hide
  // it (until the next key frame), so a request that comes after this
  // connection's first key frame is left out; null takes the words away.
  private showWords(picture: PictureFile | null): void {
    if (picture === null) return this.hideWords(false);
    let rgba: Buffer;
    try {
      rgba = readFileSync(picture.file);
    } catch (err) {
      this.send({ t: 'log', level: 'warn', msg: 'the TV words could not be read', data: { err: (err as Error).message } });
      return;
    } finally {
      rmSync(picture.file, { force: true });
    }
    if (this.phase === 'finished' || !this.words.available) return;
    if (this.phase === 'running' && this.sentKeyFrame && !this.linkDown) return;
    if (!this.firstFrame) this.wordsBeforePicture = true;
    try {
      this.words.show(rgba, picture.width, picture.height);
    } catch (err) {
      this.send({ t: 'log', level: 'warn', msg: 'the TV words could not go on the screen', data: { err: (err as Error).message } });
    }
  }

  private hideWords(blank: boolean): void {
    if (!this.words.showing) return;
    // The phase's next state change takes the sink along; a phase that stays paused or held takes it now.
    // The start's first picture is shown as it comes, as a preroll would show it (see ScreenWords.hide).
    const first = this.wordsBeforePicture && !this.firstFrame && !blank;
    this.words.hide(this.phase === 'running' || this.phase === 'prerolling' ? 'pipeline' : 'now', blank, first);
    // Without video the first audio played is the start (startAudioOnly), and the black frame is no picture.
    if (first) {
      const conn = this.connection;
      this.renders.whenRendered('vsink', this.renders.rendered(), () => conn === this.connection && !this.firstFrame && this.phase !== 'finished', () => {
        this.words.resync();
        this.firstFrame = true;
        this.stages.disarm();
        this.code(2004, 'first frame rendered');
      });
    }
  }

  // The one place the phase changes; it returns early when nothing changes.
  private enter(next: Phase): void {
    if (this.phase === next || this.phase === 'finished') return;
    this.phase = next;
    if (next !== 'finished') this.drive();
    else this.driver.cancel();
  }

  // The one place that sets the pipeline's state: PLAYING while running,
  // PAUSED in every other phase (or as asked, for the preroll round trip).
  // The driver holds a PLAYING back that follows a pause too closely.
  private drive(target: 'PLAYING' | 'PAUSED' = this.phase === 'running' ? 'PLAYING' : 'PAUSED'): void {
    if (target === 'PLAYING') this.driver.play();
    else this.driver.pause();
  }

  // The connection counts as lost (2103, then the reconnect policy); reconnect() opens the next.
  private dropConnection(detail: string): void {
    this.linkDown = true;
    this.reader?.close();
    this.connection++;
    this.stages.disarm();
    this.health.fed(performance.now());
    this.send({ t: 'dropped', code: null, detail });
  }

  private code(code: StatusCode, detail?: string): void {
    this.send({ t: 'code', code, detail });
  }
}

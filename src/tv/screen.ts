// Decides what the TV shows around the stream, so that it is never black,
// frozen or misleading: a card drawn by its own throw-away process
// (src/gst/worker/idle-worker.ts) on the player's video sink, at the screen's size.
//
//   idle, stopped, error, waiting, connecting: the idle card (name, address,
//     QR code) with what is happening in words;
//   reconnecting: a band with "connection lost, reconnecting" over the
//     last frame, dimmed (a full-screen card with a small copy of the frame
//     from the media worker, src/tv/backdrop.ts; the band alone until the
//     copy comes);
//   paused: a pause mark over the picture;
//   playing: nothing, unless someone asked for the pairing card (a corner,
//     src/tv/pairing-corner.ts).
//
// A card that appears over nothing shown by a card process takes a warm
// spare process; a card of another size than the one shown is a new pipeline
// in the same process. Either way its sink opens a new window, which X puts
// above the stream's, at the top left. Taking a card away kills its process.
// A KMS display is exclusive: there card processes show only while no media
// session holds it (`exclusive`); while one holds it without a moving picture
// (connecting, reconnecting, paused) the card goes on the session's own
// screen (`wordsInStream`, src/tv/stream-words.ts), as on the fake sink. On
// Wayland the compositor places windows: the cards fill the screen and none
// goes over a picture (`overlays` false), but the idle card stays while a session starts.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { VideoSinkPref } from '../gst/element-choice';
import type { Card, FromCardProcess, PictureFile, Still, ToCardProcess } from '../gst/protocol';
import { ChildLink } from '../gst/control/child-process';
import type { LivePlayer, PlayerEventMap } from '../player/player';
import { Backdrop, stillBackdrop, type BackdropPicture } from './backdrop';
import type { DisplaySize } from './display-size';
import { pangoEscape, wrap } from './card-text';
import { PairingCorner } from './pairing-corner';
import { DRAWER_LINGER_MS, StreamWords, type OffScreenDrawer } from './stream-words';
import { causeOf, streamName, tvWords, type Cause, type Language, type TvSituation } from './words';

/** What the screen needs from the pairing service. */
export interface PairingSource {
  current(): { url: string; expiresAt: string };
  readonly controlUrl: string;
  on(event: 'change', fn: () => void): unknown;
  off(event: 'change', fn: () => void): unknown;
}

export interface TvScreenOptions {
  player: LivePlayer;
  /** The phones' pairing; absent while the HTTP surface is off (the card then shows no code), or until usePairing(). */
  pairing?: PairingSource;
  /** config.name, the first line on the screen. */
  name: string;
  videoSink: VideoSinkPref;
  log: Logger;
  language?: Language;
  screen?: DisplaySize;
  /** Cards over a media session's picture (false on KMS and Wayland, where a card cannot be placed over it). */
  overlays?: boolean;
  /** The display serves one process at a time (KMS): no card while a session holds it, not even while it starts. */
  exclusive?: boolean;
  /** After this long connected with no picture, the TV says the stream has not started. */
  stallTimeoutMs?: number;
  /** Problems with the configuration an admin should see (shown on the idle card). */
  warnings?: readonly string[];
  /** false (--spare-worker idle): no spare card process while a stream plays; the next card starts one cold. */
  spareWhilePlaying?: boolean;
  /** The picture the stream's sink shows now, at most `maxWidth` wide: dimmed, it is the backdrop of a drop. */
  shownFrame?: (maxWidth: number) => Promise<Still | null>;
  /**
   * Where no card window can go over the stream (KMS, Wayland, a fake sink):
   * puts the pairing card (a PNG, base64) into the stream's own picture, or
   * takes it away (null). Without it the pairing card is a window of its own.
   */
  cornerInStream?: (png: string | null) => unknown;
  /**
   * Where no card window can go over a media session's screen (KMS, a fake
   * sink): puts a card (the whole screen's pixels in a file) on the stream's
   * own screen while it has no frame to show (connecting, a drop, paused),
   * or takes it away (null). Without it those cards are windows of their own.
   */
  wordsInStream?: (picture: PictureFile | null) => boolean;
}

/** Has card process `p` draw `card` on a fake sink and capture it (as `how` asks). */
async function drawOffScreen(p: Shown, card: Card, how: { fast?: boolean; rawTo?: string }): Promise<Extract<FromCardProcess, { t: 'captured' }>> {
  await p.link.ready;
  p.link.send({ t: 'show', videoSink: 'fake', card });
  const m = await p.link.request((id) => ({ t: 'capture', id, ...how }), CAPTURE_ANSWER_MS);
  if (m.t !== 'captured' || m.error) throw new Error((m.t === 'captured' && m.error) || 'capture failed');
  return m;
}

/** The states in which a media session holds the screen but shows no moving picture of its own. */
const NO_PICTURE_STATES: ReadonlySet<string> = new Set(['connecting', 'reconnecting', 'paused']);

export interface TvScreenEvents {
  /** The idle card appeared (true) or went away (false); backgroundMute follows this. */
  showing: [boolean];
}

const RESTART_MS = 2000;
const CAPTURE_ANSWER_MS = 8000;
const SPARE_MS = 150;
const SPARE_WHILE_STARTING_MS = 1500;
/** A start that shows its first picture sooner than this shows no words on its own screen. */
const CONNECTING_WORDS_AFTER_MS = 300;
/** ... and one that shows it sooner than this costs no drawing either (a warm start here: about 100 ms). */
const CONNECTING_DRAW_AFTER_MS = 100;
export const PAIRING_CORNER_MS = 60_000;
const FONT = 'Noto Sans CJK SC, WenQuanYi Micro Hei, Droid Sans Fallback, sans';

interface Shown {
  link: ChildLink<ToCardProcess, FromCardProcess>;
  ready: boolean;
  card: Card | null;
  /** When the card process was given its first card (performance.now()). */
  askedAt?: number;
}

export class TvScreen extends EventEmitter<TvScreenEvents> {
  private proc: Shown | null = null;
  /** A started process with the binding loaded and fonts warm, so that a card is on the TV within a few frames. */
  private spare: Shown | null = null;
  private spareTimer: NodeJS.Timeout | null = null;
  private started = false;
  private idleVisible = false;
  private restartTimer: NodeJS.Timeout | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private pairing: PairingSource | null;
  private readonly lang: Language;
  private readonly size: DisplaySize;

  /** The best code of the current try (2001 connected ... 2004 first picture) and whether any try showed a picture. */
  private progress = 0;
  private startedOnce = false;
  private connectingSince = 0;
  private lastFailure: { code: number; message: string } | null = null;
  private cause: Cause | null = null;
  private flushing = false;
  private readonly backdrop: Backdrop;
  private readonly corner: PairingCorner;
  /** The cards on a media session's own screen (where no card window can go over it). */
  private readonly streamWords: StreamWords | null;
  private wordsTimer: NodeJS.Timeout | null = null;
  private pictures: string | null = null;
  /** When the player's state last changed (performance.now()), for the log's figure of how long the words took. */
  private stateAt = 0;

  private readonly onState = (e: PlayerEventMap['state'][0]): void => {
    if (e.state === 'connecting' && e.previous !== 'reconnecting') {
      this.progress = 0;
      this.connectingSince = Date.now();
      // A new try: what failed before is not what this one will fail of.
      this.lastFailure = null;
      this.cause = null;
      if (e.previous !== 'waiting') this.startedOnce = false;
      this.armStallTimer();
    }
    if (e.state === 'reconnecting') this.progress = 0;
    if (e.state !== e.previous) {
      this.backdrop.forget();
      this.stateAt = performance.now();
    }
    // Only a stream that showed a picture has one to keep, and an exclusive display (KMS) shows no card of it unless the words go into the stream.
    const keep = this.startedOnce && (this.opts.exclusive !== true || this.opts.wordsInStream !== undefined);
    if (keep && e.state === 'reconnecting' && e.previous !== 'reconnecting') this.backdrop.fetch('reconnecting');
    // Where no mark can be placed over the picture (Wayland, the stream's own screen), the paused card is the picture itself with the mark.
    if (keep && e.state === 'paused' && (this.opts.overlays === false || this.opts.wordsInStream !== undefined)) this.backdrop.fetch('paused');
    if (e.state === 'playing' && !this.spareWanted()) this.dropSpare();
    this.render();
  };
  private readonly onCode = (e: PlayerEventMap['statechange'][0]): void => {
    if (e.code >= 2001 && e.code <= 2004) this.progress = Math.max(this.progress, e.code);
    if (e.code === 2004) {
      this.startedOnce = true;
      this.lastFailure = null;
      this.cause = null;
    }
    const c = causeOf(e.code, e.message);
    // -2301 keeps the cause that led to it (host not found, refused...).
    if (c && !(c === 'lost' && this.cause && this.cause !== 'lost')) this.cause = c;
    if (e.code < 0 || e.code >= 3000 || e.code === 2006 || e.code === 2103) this.lastFailure = { code: e.code, message: e.message };
    if (this.proc && e.code !== 2005) this.render();
  };
  // A failure without a code (an HTTPS certificate, a pipeline that cannot be built) still has a cause.
  private readonly onError = (e: PlayerEventMap['playererror'][0]): void => {
    const c = causeOf(0, e.errMsg);
    if (c) this.cause = c;
    this.lastFailure ??= { code: 0, message: e.errMsg };
    if (this.proc) this.render();
  };
  private readonly onPairing = (): void => {
    if (this.proc) this.render();
  };

  constructor(private readonly opts: TvScreenOptions) {
    super();
    this.log = opts.log.child({ module: 'tv' });
    this.pairing = opts.pairing ?? null;
    this.lang = opts.language ?? 'zh';
    this.size = opts.screen ?? { width: 1920, height: 1080 };
    this.backdrop = new Backdrop({ shownFrame: opts.shownFrame, player: opts.player, onChange: () => this.render(), log: this.log });
    this.corner = new PairingCorner({
      inStream: opts.cornerInStream,
      drawable: () => this.pairing !== null && this.opts.player.state === 'playing',
      draw: () => this.captureOffScreen(() => this.cornerCard()),
      onChange: () => this.render(),
      log: this.log,
    });
    this.streamWords = opts.wordsInStream
      ? new StreamWords({
          drawer: () => this.offScreenDrawer(),
          put: opts.wordsInStream,
          log: this.log,
          // With --spare-worker idle nothing but the session runs while a stream plays.
          linger: () => (this.spareWanted() ? DRAWER_LINGER_MS : 0),
          shown: (card, ms) =>
            this.log.info({ layout: card.layout, state: this.opts.player.state, ms: Math.round(ms), sinceState: Math.round(performance.now() - this.stateAt) }, "the card is on the stream's screen"),
        })
      : null;
    const last = opts.player.view().lastCode;
    if (last) this.onCode({ code: last.code, message: last.message });
    this.follow();
  }

  /** The phones' pairing, once the HTTP surface has one: the cards show its code from now on. */
  usePairing(pairing: PairingSource): void {
    this.pairing?.off('change', this.onPairing);
    this.pairing = pairing;
    if (this.started) {
      pairing.on('change', this.onPairing);
      this.render();
    }
  }

  /** True while a card is on the TV (the idle screen, words over the last frame, or the pairing corner). */
  get showing(): boolean {
    return this.proc !== null && this.proc.card !== null;
  }

  /**
   * Starts the first card process now, before start(): Node, the binding and
   * GStreamer take it about a second to load, which the daemon spends
   * building its HTTP side meanwhile, so that the first card (and a failure
   * that comes right after the start) does not wait for it.
   */
  warmUp(): void {
    if (!this.spare && !this.proc) this.spare = this.fork();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.follow();
    this.pairing?.on('change', this.onPairing);
    this.render();
  }

  // From construction, not from start(): a play the daemon begins before
  // the screen starts (it starts once HTTP listens) has its progress and a
  // failure's cause read by then, and the first card tells them.
  private following = false;
  private follow(): void {
    if (this.following) return;
    this.following = true;
    this.opts.player.on('state', this.onState);
    this.opts.player.on('statechange', this.onCode);
    this.opts.player.on('playererror', this.onError);
  }

  /**
   * Shows the pairing code with the name and address in a corner for
   * `ms` while a stream plays, so that another phone can pair without
   * stopping the lesson. When nothing plays the idle card already shows it.
   */
  showPairingCorner(ms = PAIRING_CORNER_MS): { until: string } {
    return this.corner.show(ms);
  }

  // A card drawn by a card process of its own on a fake sink and captured
  // (a PNG, base64); the process ends once it has answered.
  private async captureOffScreen(card: () => Card): Promise<string> {
    const p = this.takeCardProcess();
    this.keepSpare(SPARE_MS);
    try {
      const { png } = await drawOffScreen(p, card(), { fast: true });
      if (!png) throw new Error('capture gave no PNG');
      return png;
    } finally {
      void p.link.kill();
    }
  }

  /** The card as it is drawn now, as PNG (captured through the pipeline's snap branch). */
  async capture(): Promise<Buffer> {
    const p = this.proc;
    if (!p || !p.ready || !p.card) throw new Error('the idle screen is not showing');
    // The card process gives up on its own after 4 s without a fresh frame.
    const m = await p.link.request((id) => ({ t: 'capture', id }), CAPTURE_ANSWER_MS);
    if (m.t === 'captured' && m.png) return Buffer.from(m.png, 'base64');
    throw new Error((m.t === 'captured' && m.error) || 'capture failed');
  }

  async stop(): Promise<void> {
    this.started = false;
    this.following = false;
    this.opts.player.off('state', this.onState);
    this.opts.player.off('statechange', this.onCode);
    this.opts.player.off('playererror', this.onError);
    this.pairing?.off('change', this.onPairing);
    for (const t of [this.stallTimer, this.restartTimer, this.spareTimer, this.wordsTimer]) if (t) clearTimeout(t);
    this.corner.stop();
    this.streamWords?.stop();
    if (this.pictures) rmSync(this.pictures, { recursive: true, force: true });
    this.pictures = null;
    this.backdrop.forget();
    const spare = this.spare;
    this.spare = null;
    if (spare) void spare.link.kill();
    await this.kill();
  }

  /** What is happening, as the TV tells it. */
  situation(): TvSituation {
    const p = this.opts.player;
    const stream = streamName(p.attributes.src);
    const last = this.lastFailure;
    switch (p.state) {
      case 'idle':
        return this.pairing ? { kind: 'idle' } : { kind: 'idle', remote: false };
      case 'stopped':
        return last?.code === 2006 ? { kind: 'failed', stream, code: 2006, cause: 'ended', detail: last.message } : { kind: 'stopped' };
      case 'connecting': {
        const stalled = this.progress >= 2001 && this.progress < 2003 && Date.now() - this.connectingSince >= (this.opts.stallTimeoutMs ?? 5000);
        return stalled ? { kind: 'connected-no-media', stream } : { kind: 'connecting', stream };
      }
      case 'reconnecting': {
        const { attempt, of } = p.reconnectAttempt;
        return { kind: 'reconnecting', stream, attempt, of, startedOnce: this.startedOnce };
      }
      case 'paused':
        return { kind: 'paused' };
      case 'waiting': {
        const w = p.waitingFor;
        return { kind: 'waiting', stream, since: new Date(w?.since ?? Date.now()), code: w?.code ?? last?.code ?? 0, cause: this.cause };
      }
      case 'error':
        return { kind: 'failed', stream, code: last?.code ?? 0, cause: this.cause, detail: last?.message ?? '' };
      case 'playing':
        return { kind: 'connecting', stream };
    }
  }

  /** The card the TV should show now, or null for the stream's own picture. */
  private desired(): Card | null {
    const state = this.opts.player.state;
    const overlays = this.opts.overlays !== false;
    // Only an exclusive display (KMS) cannot keep a card up while a session starts on it.
    const exclusive = this.opts.exclusive === true;
    // The session's own screen says it (renderInStream).
    if (this.opts.wordsInStream && NO_PICTURE_STATES.has(state)) return null;
    if (state === 'playing') return overlays && !this.opts.cornerInStream && this.pairing && this.corner.active ? this.cornerCard() : null;
    // Reconnecting before any picture was shown: nothing to dim, the idle card says it.
    if (state === 'reconnecting' && !this.startedOnce) return !exclusive || !this.opts.player.attributes.src ? this.idleCard() : null;
    // A drop: the band over the last picture, dimmed once the media worker has
    // given a copy of it. That card fills the screen, so it needs no placing
    // (Wayland too); until the copy comes, the band alone where it can go.
    const backdrop = this.backdrop.picture;
    if (state === 'reconnecting' && !exclusive && backdrop?.state === 'reconnecting') return this.stillCard(backdrop);
    // Where no band can go over the picture, the idle card says it when there is no copy, or none yet after a while.
    if (state === 'reconnecting' && !overlays && !exclusive && (this.backdrop.failed || this.backdrop.overdue)) return this.idleCard();
    if (state === 'paused' && !overlays && !exclusive && backdrop?.state === 'paused') return this.stillCard(backdrop);
    if (state === 'reconnecting' || state === 'paused') return overlays ? this.bandCard(state) : null;
    if (state === 'connecting' && exclusive) return null;
    // Wayland: once the first key frame is in, the card steps aside for the
    // stream's window. Kept over it, the stream's first picture sometimes
    // never came (2003 and 2008 but no 2004 in 45 s, 2 fresh-clone runs of
    // about 10 on weston); a window the compositor shows under a full-screen
    // one may not be asked to draw. The gap is a frame or two of black.
    if (state === 'connecting' && !overlays && this.progress >= 2003) return null;
    return this.idleCard();
  }

  private render(): void {
    if (!this.started) return;
    this.renderInStream();
    const card = this.desired();
    const p = this.proc;
    if (!card) {
      if (p) void this.kill();
      return;
    }
    if (!p) {
      this.spawn(card);
      return;
    }
    // A card of another size (the pairing corner, then the band of a drop):
    // the process builds a new pipeline, whose window rises above the rest.
    if (p.card && (p.card.width !== card.width || p.card.height !== card.height)) {
      p.askedAt = performance.now();
      this.log.debug({ layout: card.layout, width: card.width, height: card.height }, 'the card process takes a card of another size');
    }
    p.card = card;
    this.setIdleVisible(card.layout === 'idle');
    // Changes that come together (a state and its code, connecting then a
    // refusal a millisecond later) reach the card process as one update.
    if (p.ready && !this.flushing) {
      this.flushing = true;
      setImmediate(() => {
        this.flushing = false;
        const now = this.proc;
        if (now?.ready && now.card) this.send({ t: 'show', videoSink: this.opts.videoSink, card: now.card });
      });
    }
  }

  // The card on the stream's own screen (StreamWords draws it off screen
  // and hands it to the media worker). A stream that starts at once shows
  // no card and costs no drawing: a start's card is drawn from
  // CONNECTING_DRAW_AFTER_MS and shown from CONNECTING_WORDS_AFTER_MS into
  // the start.
  private renderInStream(): void {
    if (!this.streamWords) return;
    const state = this.opts.player.state;
    if (!NO_PICTURE_STATES.has(state)) return this.streamWords.want(null);
    const wait = this.stateAt + CONNECTING_DRAW_AFTER_MS - performance.now();
    if (state === 'connecting' && !this.streamWords.active && wait > 0) {
      this.wordsTimer ??= setTimeout(() => {
        this.wordsTimer = null;
        this.render();
      }, wait + 5);
      return;
    }
    const card = this.streamWordsCard();
    // Until the last picture's copy comes, the screen keeps what it has.
    if (!card) return;
    const key = JSON.stringify(card, (k, v: unknown) => (k === 'backdrop' && v ? `picture ${this.backdrop.picture?.serial}` : v));
    this.streamWords.want(card, key, state === 'connecting' ? this.stateAt + CONNECTING_WORDS_AFTER_MS : 0);
  }

  /** A card process of its own that draws the stream's cards on a fake sink until it is closed. */
  private offScreenDrawer(): OffScreenDrawer {
    const p = this.takeCardProcess();
    this.keepSpare(SPARE_WHILE_STARTING_MS);
    return {
      draw: async (card) => {
        const { raw } = await drawOffScreen(p, card, { rawTo: this.pictureDir() });
        if (!raw) throw new Error('capture gave no picture file');
        return raw;
      },
      close: () => void p.link.kill(),
    };
  }

  /** A folder of this daemon's own (0700) for the cards' picture files, removed at stop. */
  private pictureDir(): string {
    this.pictures ??= mkdtempSync(path.join(os.tmpdir(), 'liveplayerd-cards-'));
    return this.pictures;
  }

  /** The card for the stream's own screen in the states without a picture of its own, or null while the last picture's copy is awaited. */
  private streamWordsCard(): Card | null {
    const state = this.opts.player.state;
    if (state === 'connecting' || !this.startedOnce) return this.idleCard();
    const backdrop = this.backdrop.picture;
    if ((state === 'reconnecting' || state === 'paused') && backdrop?.state === state) return this.stillCard(backdrop);
    if (this.backdrop.failed || this.backdrop.overdue) return this.idleCard();
    return null;
  }

  private idleCard(): Card {
    const { width, height } = this.size;
    const words = tvWords(this.situation(), this.lang, this.opts.player.attributes.src);
    const zh = this.lang === 'zh';
    const warnings = (this.opts.warnings ?? []).map((w) => `⚠ ${pangoEscape(w)}`).join('\n');
    const pairing = this.pairing
      ? `\n${zh ? '遥控地址' : 'Remote control'}: ${pangoEscape(this.pairing.controlUrl)}\n` + `${zh ? '用手机扫描右侧二维码' : 'Scan the code with a phone'}`
      : '';
    const title = `<span size="x-large">${pangoEscape(this.opts.name)}</span>` + pairing + (warnings ? `\n<span size="small" foreground="#ffcc66">${warnings}</span>` : '');
    // Left of the QR code: about 17 wide characters or 32 narrow ones at this font on a 16:9 screen; twice that without one.
    const cols = (this.lang === 'zh' ? 17 : 32) * (this.pairing ? 1 : 2);
    const status = `<b>${pangoEscape(wrap(words.headline, cols))}</b>${words.line ? `\n<span size="small">${pangoEscape(wrap(words.line, Math.round(cols * 1.25)))}</span>` : ''}`;
    return {
      layout: 'idle',
      width,
      height,
      qr: this.pairing?.current().url,
      title,
      status,
      titleFont: `${FONT} Bold 11`,
      statusFont: `${FONT} 16`,
      shaded: false,
    };
  }

  // Over the stream's frozen last frame (the sink keeps showing it): a band
  // across the top with the words, or a small mark while paused. A band
  // costs nothing per pixel and needs no copy of the frame.
  private bandCard(state: 'reconnecting' | 'paused'): Card {
    const { width, height } = this.size;
    const words = tvWords(this.situation(), this.lang, this.opts.player.attributes.src);
    const paused = state === 'paused';
    const even = (n: number) => Math.max(16, Math.round(n / 2) * 2);
    return {
      layout: 'band',
      width: even(paused ? width * 0.26 : width),
      height: even(paused ? height * 0.13 : height * 0.16),
      title: `<b>${pangoEscape(words.headline)}</b>`,
      status: '',
      // textoverlay sizes fonts by the frame's width: the same text height on a narrower band needs a larger size.
      titleFont: `${FONT} ${paused ? 30 : 16}`,
      statusFont: `${FONT} 12`,
      shaded: false,
    };
  }

  // The last picture as a full-screen card, with the words in a panel at
  // the top left: dimmed under a band while the stream reconnects; as it is,
  // under the pause mark, where no mark can go over the stream (Wayland).
  private stillCard(backdrop: BackdropPicture): Card {
    const { width, height } = this.size;
    const words = tvWords(this.situation(), this.lang, this.opts.player.attributes.src);
    const paused = backdrop.state === 'paused';
    return {
      layout: 'still',
      width,
      height,
      title: `<b>${pangoEscape(words.headline)}</b>`,
      status: '',
      // The band's and the mark's words, size and place: textoverlay sizes
      // fonts by the frame's width, and the mark's card was 26 % of it wide.
      titleFont: `${FONT} ${paused ? 8 : 16}`,
      statusFont: `${FONT} 12`,
      shaded: false,
      backdrop: stillBackdrop(backdrop, this.size),
    };
  }

  private cornerCard(): Card {
    // Wide enough for the words beside a QR code that a phone reads from a desk.
    const even = (n: number) => Math.round(n / 2) * 2;
    const width = even(this.size.width * 0.45);
    const height = even(this.size.height * 0.42);
    const zh = this.lang === 'zh';
    return {
      layout: 'corner',
      width,
      height,
      qr: this.pairing?.current().url,
      title: `<b>${pangoEscape(this.opts.name)}</b>\n${zh ? '扫码添加\n手机遥控' : 'Scan to add\na phone'}\n<span size="x-small">${pangoEscape(this.pairing?.controlUrl ?? '')}</span>`,
      status: '',
      titleFont: `${FONT} 17`,
      statusFont: `${FONT} 12`,
      shaded: false,
    };
  }

  private armStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      this.stallTimer = null;
      if (this.opts.player.state === 'connecting') this.render();
    }, (this.opts.stallTimeoutMs ?? 5000) + 20);
  }

  private fork(): Shown {
    const link = new ChildLink<ToCardProcess, FromCardProcess>(path.join(__dirname, '..', 'gst', 'worker', 'idle-worker.js'), { name: 'TV card process', log: this.log }, (_, why) => this.onExit(p, why));
    const p: Shown = { link, ready: false, card: null };
    link.listen((m) => this.onMessage(p, m));
    link.ready.then(
      () => {
        p.ready = true;
        if (this.proc === p && p.card) this.send({ t: 'show', videoSink: this.opts.videoSink, card: p.card });
      },
      () => undefined,
    );
    return p;
  }

  // The spare is made a while after a card took the last one, so that it
  // never competes with a stream that is starting.
  private keepSpare(delayMs: number): void {
    if (this.spare || this.spareTimer || !this.started) return;
    this.spareTimer = setTimeout(() => {
      this.spareTimer = null;
      if (!this.spare && this.started && this.spareWanted()) this.spare = this.fork();
    }, delayMs);
  }

  private spareWanted(): boolean {
    return this.opts.spareWhilePlaying !== false || this.opts.player.state !== 'playing';
  }

  private dropSpare(): void {
    if (this.spareTimer) clearTimeout(this.spareTimer);
    this.spareTimer = null;
    const spare = this.spare;
    this.spare = null;
    if (spare) void spare.link.kill();
  }

  /** The spare card process, or a new one when there is none. */
  private takeCardProcess(): Shown {
    const p = this.spare ?? this.fork();
    this.spare = null;
    return p;
  }

  private spawn(card: Card): void {
    const p = this.takeCardProcess();
    p.card = card;
    p.askedAt = performance.now();
    this.log.debug({ layout: card.layout, width: card.width, height: card.height, warm: p.ready }, 'a card process takes the card');
    this.proc = p;
    if (p.ready) this.send({ t: 'show', videoSink: this.opts.videoSink, card });
    // While a stream starts the next spare waits its turn; otherwise the
    // next card (a drop right after a pause, a failure after the band)
    // should find one ready.
    const starting = this.opts.player.state === 'connecting' || this.opts.player.state === 'reconnecting';
    this.keepSpare(starting ? SPARE_WHILE_STARTING_MS : SPARE_MS);
  }

  private onMessage(p: Shown, m: FromCardProcess): void {
    if (this.proc !== p) return;
    if (m.t === 'showing') {
      if (p.askedAt !== undefined) {
        this.log.debug({ layout: p.card?.layout, ms: Math.round(performance.now() - p.askedAt) }, 'the card process has the card');
        p.askedAt = undefined;
      }
      this.setIdleVisible(p.card?.layout === 'idle');
    } else if (m.t === 'error') {
      this.log.warn({ detail: m.detail }, 'TV screen error');
    }
  }

  private onExit(p: Shown, why: string): void {
    if (this.spare === p) {
      this.spare = null;
      this.keepSpare(RESTART_MS);
      return;
    }
    if (this.proc !== p) return;
    // It died by itself while it should be showing: try again shortly.
    this.proc = null;
    this.setIdleVisible(false);
    this.log.warn({ why }, 'TV screen process ended; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.render();
    }, RESTART_MS);
  }

  private kill(): Promise<void> {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const p = this.proc;
    this.proc = null;
    p?.link.failPending('the idle screen went away');
    this.setIdleVisible(false);
    return p ? p.link.kill() : Promise.resolve();
  }

  private send(m: ToCardProcess): void {
    this.proc?.link.send(m);
  }

  private setIdleVisible(v: boolean): void {
    if (this.idleVisible === v) return;
    this.idleVisible = v;
    this.emit('showing', v);
  }

}


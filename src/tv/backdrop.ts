// The stream's last picture behind a full-screen card (the `still` layout):
// dimmed under the band while a stream reconnects, and as it is under the
// pause mark where no mark can go over the stream (Wayland). The media
// worker gives a small copy of the picture its sink shows
// (src/gst/worker/last-frame.ts); the card process scales it up again.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Card, Still } from '../gst/protocol';
import type { LivePlayer } from '../player/player';
import type { DisplaySize } from './display-size';

/** The backdrop's width: a 1080p frame read every 4th pixel (0.5 MB), scaled up again by the card. */
const BACKDROP_WIDTH = 480;
/** While paused the picture is looked at, not dimmed: every 2nd pixel (2 MB). */
const PAUSED_BACKDROP_WIDTH = 960;
/** The band's share of the screen's height, over the picture. */
const BAND_SHARE = 0.16;
/** How much of its brightness the last picture keeps under the band of a drop. */
const DROP_DIM = 0.35;
/** The pause mark's panel at the top left, as shares of the screen: small, the picture is what is looked at. */
const PAUSE_MARK = { height: 0.13, width: 0.26 };

export type BackdropState = 'reconnecting' | 'paused';

/** A copy of the stream's last picture and the state it was asked for in; `serial` tells one copy from the next. */
export interface BackdropPicture {
  serial: number;
  still: Still;
  state: BackdropState;
}

/**
 * How long a copy may take before the screen stops waiting for it: where no
 * band can go over the picture (Wayland) the TV otherwise says nothing until
 * it comes. It comes in ~160 ms; a loaded machine once took over 5 s.
 */
export const BACKDROP_OVERDUE_MS = 800;

export interface BackdropOptions {
  /** The picture the stream's sink shows now, at most `maxWidth` wide; absent, there is never a backdrop. */
  shownFrame?: (maxWidth: number) => Promise<Still | null>;
  /** The player, whose state an answer must still be in to count. */
  player: Pick<LivePlayer, 'state'>;
  /** A copy came, or could not be had: the screen decides again what it shows. */
  onChange: () => void;
  log: Logger;
  /** After this long without an answer, `overdue` (default BACKDROP_OVERDUE_MS). */
  overdueMs?: number;
}

/** The stream's last picture for the player's current state, asked for once per state. */
export class Backdrop {
  private shown: BackdropPicture | null = null;
  private serial = 0;
  private missing = false;
  private late = false;
  private lateTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: BackdropOptions) {}

  /** The stream's last picture while it reconnects (or, where no mark can go over it, is paused), once the media worker has given it. */
  get picture(): BackdropPicture | null {
    return this.shown;
  }

  /** This state's picture could not be had: where no band can go over the picture, the idle card says it instead. */
  get failed(): boolean {
    return this.missing;
  }

  /** This state's picture was asked for a while ago and has not come yet (it may still come). */
  get overdue(): boolean {
    return this.late;
  }

  /** The player's state changed: the picture held is of the state before, and an answer still on its way is dropped. */
  forget(): void {
    this.shown = null;
    this.missing = false;
    this.late = false;
    this.serial++;
    this.clearLateTimer();
  }

  // A copy of the stream's last picture for `state`; a late answer (the
  // state already left, or entered again) is dropped.
  fetch(state: BackdropState): void {
    const ask = this.o.shownFrame;
    if (!ask) return;
    const serial = this.serial;
    const askedAt = performance.now();
    this.clearLateTimer();
    this.lateTimer = setTimeout(() => {
      this.lateTimer = null;
      if (serial !== this.serial || this.shown || this.missing) return;
      this.late = true;
      this.o.log.debug({ ms: Math.round(performance.now() - askedAt), state }, 'the last picture is late; the card says it without');
      this.o.onChange();
    }, this.o.overdueMs ?? BACKDROP_OVERDUE_MS);
    ask(state === 'paused' ? PAUSED_BACKDROP_WIDTH : BACKDROP_WIDTH).then(
      (still) => {
        if (serial !== this.serial || this.o.player.state !== state) return;
        this.clearLateTimer();
        this.o.log.debug({ ms: Math.round(performance.now() - askedAt), got: still !== null, state }, 'the last picture for the card');
        if (still) this.shown = { serial, still, state };
        else this.missing = true;
        this.o.onChange();
      },
      () => undefined,
    );
  }

  private clearLateTimer(): void {
    if (this.lateTimer) clearTimeout(this.lateTimer);
    this.lateTimer = null;
  }
}

/**
 * The picture part of a still card on a screen of `size`: under a band
 * across the top and dimmed for a drop; as it is, under a small mark at the
 * top left, while paused.
 */
export function stillBackdrop(b: BackdropPicture, size: DisplaySize): NonNullable<Card['backdrop']> {
  const paused = b.state === 'paused';
  return {
    serial: b.serial,
    still: b.still,
    bandHeight: Math.round(size.height * (paused ? PAUSE_MARK.height : BAND_SHARE)),
    bandWidth: paused ? Math.round(size.width * PAUSE_MARK.width) : size.width,
    dim: paused ? 1 : DROP_DIM,
  };
}

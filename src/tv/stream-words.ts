// The TV's card on a media session's own screen (KMS, a fake sink: see
// src/gst/worker/screen-words.ts), drawn off screen by one card process at a
// time and handed to the session as a picture file (RGBA). Cards wanted while one is being
// drawn wait; only the newest is drawn next, so a burst of changes (a play
// and stop a second, reconnect attempts) costs one process and one draw at
// a time, never one each.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { rmSync } from 'node:fs';
import type { Card, PictureFile } from '../gst/protocol';

/** A card process that draws cards on a fake sink and captures them. */
export interface OffScreenDrawer {
  /** The card's pixels, in a file for whoever takes it. */
  draw(card: Card): Promise<PictureFile>;
  close(): void;
}

export interface StreamWordsOptions {
  /** A new drawer (a warm card process when there is one). */
  drawer: () => OffScreenDrawer;
  /** Hands the card to the session (null takes it away); false when no session took it. */
  put: (picture: PictureFile | null) => boolean;
  log: Logger;
  /** How long the drawer stays after the last card is gone (default DRAWER_LINGER_MS; 0: closed at once). */
  linger?: () => number;
  /** Called once a card is on the session's screen, with how long it took to draw. */
  shown?: (card: Card, ms: number) => void;
}

/** How long the drawer stays after the last card was taken away: a burst of plays and stops reuses one process. */
export const DRAWER_LINGER_MS = 10_000;

export class StreamWords {
  /** The card wanted now (sent, or being drawn), as a key; null when none. */
  private key: string | null = null;
  /** Not on the screen before this (performance.now()): a start that shows its picture sooner shows no card. */
  private notBefore = 0;
  private drawing = false;
  private next: { card: Card; key: string } | null = null;
  /** Counts the times the cards were taken away: a draw from before is not shown. */
  private epoch = 0;
  private drawer: OffScreenDrawer | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private putTimer: NodeJS.Timeout | null = null;
  /** The picture waiting for its time (putTimer). */
  private waiting: PictureFile | null = null;
  /** Whether the session was given a card since the cards were last taken away. */
  private given = false;

  constructor(private readonly o: StreamWordsOptions) {}

  /** Whether a card is on the session's screen or on its way there. */
  get active(): boolean {
    return this.key !== null;
  }

  /**
   * The card the session's screen should show (`key` tells one card from
   * another), not before `notBefore` (performance.now(); it is drawn at once
   * all the same); null for none.
   */
  want(card: Card | null, key = '', notBefore = 0): void {
    if (card === null) {
      if (this.key === null && !this.given) return;
      this.key = null;
      this.next = null;
      this.epoch++;
      this.dropWaiting();
      if (this.given) this.o.put(null);
      this.given = false;
      this.linger();
      return;
    }
    if (key === this.key) return;
    if (this.key === null) this.notBefore = notBefore;
    this.key = key;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    if (this.drawing) {
      this.next = { card, key };
      return;
    }
    void this.draw(card, key);
  }

  stop(): void {
    this.want(null);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    this.closeDrawer();
  }

  private linger(): void {
    if (this.lingerTimer || !this.drawer) return;
    const ms = this.o.linger?.() ?? DRAWER_LINGER_MS;
    if (ms <= 0) {
      if (!this.drawing) this.closeDrawer();
      return;
    }
    this.lingerTimer = setTimeout(() => {
      this.lingerTimer = null;
      if (this.key === null && !this.drawing) this.closeDrawer();
    }, ms);
  }

  private closeDrawer(): void {
    this.drawer?.close();
    this.drawer = null;
  }

  private async draw(card: Card, key: string): Promise<void> {
    this.drawing = true;
    const epoch = this.epoch;
    const t0 = performance.now();
    try {
      this.drawer ??= this.o.drawer();
      const picture = await this.drawer.draw(card);
      if (epoch === this.epoch && this.key === key) this.hand(picture, card, key, t0);
      else rmSync(picture.file, { force: true });
    } catch (err) {
      if (epoch === this.epoch) {
        // Drawn again at the next change; a drawer that failed is not used again.
        if (this.key === key) this.key = null;
        this.closeDrawer();
        this.o.log.warn({ err: (err as Error).message }, "the card for the stream's screen could not be drawn");
      }
    } finally {
      this.drawing = false;
      const next = this.next;
      this.next = null;
      if (next && next.key === this.key) void this.draw(next.card, next.key);
      else if (this.key === null) this.linger();
    }
  }

  private dropWaiting(): void {
    if (this.putTimer) clearTimeout(this.putTimer);
    this.putTimer = null;
    if (this.waiting) rmSync(this.waiting.file, { force: true });
    this.waiting = null;
  }

  // To the session now, or once `notBefore` has come if the card is still wanted then.
  private hand(picture: PictureFile, card: Card, key: string, t0: number): void {
    const wait = this.notBefore - performance.now();
    if (wait > 0) {
      this.dropWaiting();
      this.waiting = picture;
      this.putTimer = setTimeout(() => {
        this.putTimer = null;
        this.waiting = null;
        if (this.key === key) this.hand(picture, card, key, t0);
        else rmSync(picture.file, { force: true });
      }, wait);
      return;
    }
    // The session removes the file once it has read it; nobody else will.
    if (this.o.put(picture)) {
      this.given = true;
      this.o.shown?.(card, performance.now() - t0);
    } else rmSync(picture.file, { force: true });
  }
}

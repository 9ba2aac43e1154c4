// The pairing card during a lesson, for a number of seconds, so that another
// phone can pair without stopping the stream. Where a card window can go
// over the stream, the screen shows it as a window in a corner while
// `active`; where none can (KMS, Wayland, a fake sink), a card process draws
// it off screen and the media worker lays it over the stream's own picture.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';

export interface PairingCornerOptions {
  /** Puts the card (a PNG, base64) into the stream's picture, or takes it away (null); absent, the card is a window of its own. */
  inStream?: (png: string | null) => unknown;
  /** Whether there is a card to draw now (a pairing, a stream playing). */
  drawable: () => boolean;
  /** The card drawn off screen and captured: a PNG, base64. */
  draw: () => Promise<string>;
  /** The card's time began or ended: the screen decides again what it shows. */
  onChange: () => void;
  log: Logger;
}

export class PairingCorner {
  private until = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: PairingCornerOptions) {}

  /** True while the card's time lasts. */
  get active(): boolean {
    return Date.now() < this.until;
  }

  /** The card for `ms` from now; asked again, its time starts again. */
  show(ms: number): { until: string } {
    this.until = Date.now() + ms;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.o.inStream?.(null);
      this.o.onChange();
    }, ms);
    if (this.o.inStream) void this.drawInStream(this.o.inStream);
    this.o.onChange();
    return { until: new Date(this.until).toISOString() };
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  // The card drawn off screen, then handed to the media worker, which lays
  // it over the picture; not once its time is over.
  private async drawInStream(put: (png: string | null) => unknown): Promise<void> {
    if (!this.o.drawable()) return;
    const askedAt = performance.now();
    try {
      const png = await this.o.draw();
      if (Date.now() >= this.until) return;
      put(png);
      this.o.log.info({ ms: Math.round(performance.now() - askedAt) }, 'the pairing card is in the stream');
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'the pairing card could not be drawn');
    }
  }
}

// One log line per interval for events that come in floods (refused event
// streams, failed tokens, wrong pairing codes): the first is logged at once,
// the rest are counted and summed up at the end of the interval, so a
// flood of 10,000 requests writes a handful of lines, each with its count.
import type { Logger } from 'pino';

export class FloodLog {
  private pending = 0;
  private last: Record<string, unknown> = {};
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: Logger,
    private readonly level: 'warn' | 'info',
    private readonly msg: string,
    private readonly intervalMs = 60_000,
  ) {}

  /** Counts one event; `fields` (no untrusted keys) describe the latest one. */
  note(fields: Record<string, unknown> = {}): void {
    if (this.timer) {
      this.pending += 1;
      this.last = fields;
      return;
    }
    this.log[this.level]({ ...fields, count: 1 }, this.msg);
    this.arm();
  }

  /** Writes what is still counted (shutdown) and stops the timer. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      // A quiet interval ends the flood; the next event is logged at once again.
      if (this.flush()) this.arm();
    }, this.intervalMs);
    this.timer.unref();
  }

  private flush(): boolean {
    if (this.pending === 0) return false;
    this.log[this.level]({ ...this.last, count: this.pending, intervalS: this.intervalMs / 1000 }, `${this.msg} (repeated)`);
    this.pending = 0;
    return true;
  }
}

// TXLivePlayer's reconnection policy: a fixed number of attempts a fixed
// interval apart, reset once a frame plays again.

export interface ReconnectOptions {
  attempts: number;
  intervalMs: number;
}

export class ReconnectPolicy {
  private usedCount = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ReconnectOptions) {}

  get attempts(): number {
    return this.opts.attempts;
  }

  /** Attempts used since the last reset. */
  get used(): number {
    return this.usedCount;
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  /** Schedules `retry` and returns its attempt number, or null when the attempts are spent. */
  next(retry: () => void): number | null {
    this.cancel();
    if (this.usedCount >= this.opts.attempts) return null;
    this.usedCount += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      retry();
    }, this.opts.intervalMs);
    return this.usedCount;
  }

  reset(): void {
    this.cancel();
    this.usedCount = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

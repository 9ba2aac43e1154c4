// TXLivePlayer's reconnection policy: a fixed number of attempts a fixed
// interval apart, reset once a frame plays again.

export interface ReconnectOptions {
  attempts: number;
  intervalMs: number;
}

export class ReconnectPolicy {
  private used = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ReconnectOptions) {}

  get attempts(): number {
    return this.opts.attempts;
  }

  get intervalMs(): number {
    return this.opts.intervalMs;
  }

  /** Schedules `retry` and returns its attempt number, or null when the attempts are spent. */
  next(retry: () => void): number | null {
    this.cancel();
    if (this.used >= this.opts.attempts) return null;
    this.used += 1;
    this.timer = setTimeout(() => {
      this.timer = null;
      retry();
    }, this.opts.intervalMs);
    return this.used;
  }

  reset(): void {
    this.cancel();
    this.used = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

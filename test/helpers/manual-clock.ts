// A clock the test moves by hand: while installed, setTimeout and
// clearTimeout are the clock's, so code with delays of seconds (the
// player's reconnect interval, the wait's back-off) runs in no time and in
// the same order every time. Promise jobs started by a timer run before the
// next timer, as they would in real time.

type Callback = (...args: unknown[]) => void;

interface Pending {
  at: number;
  seq: number;
  run: () => void;
  handle: object;
}

// Saved at load, so flushing never goes through the clock's own timers.
const realSetImmediate = setImmediate;

/** Lets every promise job queued so far run. */
export const flushJobs = (): Promise<void> => new Promise((r) => realSetImmediate(r));

export class ManualClock {
  /** Milliseconds since install(). */
  now = 0;
  private pending: Pending[] = [];
  private seq = 0;
  private restore: (() => void) | null = null;

  install(): void {
    if (this.restore) return;
    const g = globalThis as unknown as { setTimeout: unknown; clearTimeout: unknown };
    const saved = { setTimeout: g.setTimeout, clearTimeout: g.clearTimeout };
    const realClear = clearTimeout;
    g.setTimeout = (fn: Callback, ms?: number, ...args: unknown[]) => {
      const handle = {
        ref: () => handle,
        unref: () => handle,
        hasRef: () => true,
      };
      this.pending.push({ at: this.now + Math.max(0, ms ?? 0), seq: this.seq++, run: () => fn(...args), handle });
      return handle;
    };
    g.clearTimeout = (h: unknown) => {
      const i = this.pending.findIndex((p) => p.handle === h);
      if (i >= 0) this.pending.splice(i, 1);
      // A timer set before install() is a real one.
      else if (h) realClear(h as NodeJS.Timeout);
    };
    this.restore = () => Object.assign(g, saved);
  }

  uninstall(): void {
    this.restore?.();
    this.restore = null;
    this.pending = [];
  }

  /** Timers not yet run. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Moves time on by `ms`, running every timer due on the way at its own time, oldest first. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      await flushJobs();
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= end && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.pending.splice(this.pending.indexOf(next), 1);
      this.now = next.at;
      next.run();
    }
    this.now = end;
    await flushJobs();
  }
}

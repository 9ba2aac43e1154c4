// What /healthz reports beyond "the daemon answers": the conditions under
// which it keeps running but cannot do everything (a state dir it cannot
// write, a token kept in memory only). Each reason has a key, so the part
// that set it can clear it once the condition is gone.
export class Health {
  private readonly reasons = new Map<string, string>();

  /** Marks the daemon degraded for `key` with a sentence an admin can act on. */
  degrade(key: string, reason: string): void {
    this.reasons.set(key, reason);
  }

  clear(key: string): void {
    this.reasons.delete(key);
  }

  get status(): 'ok' | 'degraded' {
    return this.reasons.size === 0 ? 'ok' : 'degraded';
  }

  /** For /healthz; empty while status is "ok". */
  list(): string[] {
    return [...this.reasons.values()];
  }
}

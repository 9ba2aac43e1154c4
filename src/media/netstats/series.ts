// A time-ordered list of (time, value) pairs with a running sum, trimmed from
// the front: the sliding windows behind every netstatus rate.

export class TimedSeries {
  private times: number[] = [];
  private values: number[] = [];
  private head = 0;
  private total = 0;

  get count(): number {
    return this.times.length - this.head;
  }

  get sum(): number {
    return this.total;
  }

  /** Time of the oldest entry kept, NaN when empty. */
  get firstTime(): number {
    return this.count > 0 ? this.times[this.head]! : NaN;
  }

  /** Time of the newest entry, NaN when empty. */
  get lastTime(): number {
    return this.count > 0 ? this.times[this.times.length - 1]! : NaN;
  }

  push(time: number, value: number): void {
    this.times.push(time);
    this.values.push(value);
    this.total += value;
  }

  /** Drops entries at or before `time`. */
  dropUpTo(time: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= time) {
      this.total -= this.values[this.head]!;
      this.head += 1;
    }
    // Compact now and then so the arrays do not grow for the life of a stream.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.values = this.values.slice(this.head);
      this.head = 0;
    }
    if (this.count === 0) this.total = 0; // no float residue from long add/subtract runs
  }

  clear(): void {
    this.times = [];
    this.values = [];
    this.head = 0;
    this.total = 0;
  }
}

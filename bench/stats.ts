// Small statistics for the benchmark: medians with min-max, percentiles and
// pair-by-pair ratios (each run of a player against gst-launch in the same run).

/** The value at quantile q (0..1) of the sorted values, nearest-rank. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[i];
}

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Median with min and max; NaN values (failed runs) are left out and counted by n. */
export function summarize(values: readonly number[]): Summary {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN };
  const s = [...ok].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { n: s.length, median, min: s[0], max: s[s.length - 1] };
}

/** a[i] / b[i] for each run where both exist: ratios taken in the same run, never of medians. */
export function pairRatios(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i]) && b[i] > 0) out.push(a[i] / b[i]);
  return out;
}

/** "42 (38-51)" with the given digits; "n/a" when nothing was measured. */
export function fmt(s: Summary, digits = 0, unit = ''): string {
  if (s.n === 0) return 'n/a';
  const f = (v: number) => v.toFixed(digits);
  return s.min === s.max ? `${f(s.median)}${unit}` : `${f(s.median)}${unit} (${f(s.min)}–${f(s.max)})`;
}

/** Small summaries shared by the experiments (population sd, median, trailing moving average, first crossing). */
import type { Series, SeriesRole } from '@unbiased/core';

export const mean = (values: ArrayLike<number>): number => {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
};

export const sd = (values: ArrayLike<number>): number => {
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i] as number) - m) ** 2;
  return Math.sqrt(sum / values.length);
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Trailing moving average over `window` points (fewer at the start). */
export function movingAverage(values: readonly number[], window: number): number[] {
  return values.map((_, i) => mean(values.slice(Math.max(0, i - window + 1), i + 1)));
}

/** 1-based index of the first iteration whose trailing `window`-average reaches `target`; `values.length + 1` if never. */
export function iterationsTo(values: readonly number[], target: number, window: number): number {
  const smooth = movingAverage(values, window);
  const at = smooth.findIndex((v) => v >= target);
  return at < 0 ? values.length + 1 : at + 1;
}

export const round = (value: number, digits = 4): number => Number(value.toFixed(digits));

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

export function cosine(a: Float64Array, b: Float64Array): number {
  const denominator = Math.sqrt(dot(a, a) * dot(b, b));
  return denominator === 0 ? 0 : dot(a, b) / denominator;
}

/**
 * Learning curves over seeds (one array per seed, same length) as one series: the per-iteration mean, with
 * mean ± sd as its band (`lower`/`upper`). `role: 'baseline'` draws it dashed.
 */
export function bandSeries(name: string, curves: number[][], role: SeriesRole = 'method'): Series[] {
  const x = (curves[0] ?? []).map((_, i) => i + 1);
  const m = x.map((_, i) => mean(curves.map((c) => c[i] as number)));
  const s = x.map((_, i) => sd(curves.map((c) => c[i] as number)));
  return [{ name, x, y: m, lower: m.map((v, i) => v - (s[i] as number)), upper: m.map((v, i) => v + (s[i] as number)), role }];
}

/**
 * Two-sided 95% quantiles t_{0.975, df} of Student's t for df = 1..30 (NIST/SEMATECH e-Handbook of
 * Statistical Methods, 2012, §1.3.6.7.2); above 30 the normal quantile 1.96 (error < 2%).
 */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** Mean, sample sd (n − 1) and the Student-t 95% interval of the mean. */
export interface Summary {
  mean: number;
  sd: number;
  lower: number;
  upper: number;
  n: number;
}

/** Summarises per-seed values: mean, sample sd and mean ± t_{0.975,n−1}·sd/√n (the interval is the mean for n = 1). */
export function summarize(values: readonly number[]): Summary {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, lower: Number.NaN, upper: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? ((n - 1 <= 30 ? (T_975[n - 2] as number) : 1.96) * sd) / Math.sqrt(n) : 0;
  return { mean, sd, lower: mean - half, upper: mean + half, n };
}

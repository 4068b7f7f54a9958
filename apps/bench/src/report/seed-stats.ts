import type { ClaimStatus, ExperimentResult, PlotSpec, Series } from '@unbiased/core';

/**
 * Two-sided 95% quantiles t_{0.975, df} of Student's t distribution for df = 1..30 (standard tables, e.g.
 * NIST/SEMATECH e-Handbook of Statistical Methods, 2012, §1.3.6.7.2).
 */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074,
  2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/**
 * t_{0.975, df}: the table for df <= 30, above it the Cornish-Fisher expansion of t around the normal quantile
 * z = 1.959964 (Abramowitz & Stegun, Handbook of Mathematical Functions, 1964, eq. 26.7.5), accurate to 1e-3 there.
 */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer; got ${df}`);
  if (df <= T_975.length) return T_975[df - 1]!;
  const z = 1.959963984540054;
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3);
}

/** Mean, sample sd and 95% t-interval of one metric over seeds. */
export interface MetricSummary {
  /** Mean of the finite values (NaN when none is finite). */
  mean: number;
  /** Sample standard deviation (n - 1 in the denominator) of the finite values; 0 for one value. */
  sd: number;
  /** The 95% t-interval mean ± t_{0.975, n-1} sd / sqrt(n); equal to the mean for n = 1. */
  lower: number;
  upper: number;
  /** Number of finite values. */
  n: number;
  /** Every seed's value in seed order, non-finite ones included (JSON writes them as null). */
  values: number[];
  /**
   * Seeds whose run did not report this metric at all (e.g. a metric named after an inner seed that only one
   * run used); their `values` entry is NaN. Unset when every seed reported it.
   */
  absent?: number;
}

/**
 * Summarises one metric's per-seed values: mean, sample sd (Bessel-corrected) and the Student-t 95% interval
 * over the finite values (a diverged seed is counted in `values`, not in `n`).
 */
export function summarizeValues(values: number[]): MetricSummary {
  const finite = values.filter((value) => Number.isFinite(value));
  const n = finite.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN, lower: Number.NaN, upper: Number.NaN, n, values: [...values] };
  // Identical values (a setting echoed as a metric) get sd 0 exactly, not the rounding noise of the sum.
  if (finite.every((value) => value === finite[0])) return { mean: finite[0]!, sd: 0, lower: finite[0]!, upper: finite[0]!, n, values: [...values] };
  const mean = finite.reduce((sum, value) => sum + value, 0) / n;
  const sd = n > 1 ? Math.sqrt(finite.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1)) : 0;
  const half = n > 1 ? (tQuantile975(n - 1) * sd) / Math.sqrt(n) : 0;
  return { mean, sd, lower: mean - half, upper: mean + half, n, values: [...values] };
}

/** One seed of one experiment: the seed, what the claim said on it, and the error when it threw. */
export interface SeedClaim {
  seed: number;
  status: ClaimStatus;
  failing?: string[];
  error?: string;
}

/** The judgement of a claim over seeds, with the rule stated. */
export interface ClaimOverSeeds {
  status: ClaimStatus;
  /** The rule, in words, for the report. */
  rule: string;
  /** What failed: `seed 3: fails`, `seed 1: partial (Adam on E3, ...)`. */
  failing: string[];
  /** How many seeds the claim fully held on, of how many ran without error. */
  heldOn: number;
  judged: number;
}

/** The rule {@link judgeClaimOverSeeds} applies, as the report states it. */
export const SEED_RULE = 'holds on every seed → holds; fails on every seed → fails; otherwise partial';

/**
 * Judges a claim over seeds: `holds` when it holds (status `holds`) on every seed that ran, `fails` when it fails
 * on every one (or no seed ran), `partial` otherwise, listing the seeds (and their failing cells) that fell short.
 * With one seed this is that seed's own status.
 */
export function judgeClaimOverSeeds(seeds: SeedClaim[]): ClaimOverSeeds {
  const judged = seeds.filter((seed) => seed.error === undefined);
  const heldOn = judged.filter((seed) => seed.status === 'holds').length;
  const failedOn = judged.filter((seed) => seed.status === 'fails').length;
  let status: ClaimStatus;
  if (judged.length === 0 || failedOn === judged.length) status = 'fails';
  else if (heldOn === judged.length) status = 'holds';
  else status = 'partial';
  const failing: string[] = [];
  for (const seed of seeds) {
    if (seed.error !== undefined) failing.push(`seed ${seed.seed}: threw`);
    else if (seed.status !== 'holds') failing.push(`seed ${seed.seed}: ${seed.status}${seed.failing && seed.failing.length > 0 ? ` (${seed.failing.join('; ')})` : ''}`);
  }
  // One seed: the cells themselves are the detail.
  if (seeds.length === 1 && seeds[0]!.error === undefined) failing.splice(0, failing.length, ...(seeds[0]!.failing ?? []));
  return { status, rule: SEED_RULE, failing, heldOn, judged: judged.length };
}

/** Summaries of every metric that any seed reported, in first-seen order. */
export function summarizeMetrics(perSeed: Record<string, number>[]): Record<string, MetricSummary> {
  const names: string[] = [];
  for (const metrics of perSeed) for (const name of Object.keys(metrics)) if (!names.includes(name)) names.push(name);
  const summaries: Record<string, MetricSummary> = {};
  for (const name of names) {
    const summary = summarizeValues(perSeed.map((metrics) => metrics[name] ?? Number.NaN));
    const absent = perSeed.filter((metrics) => !(name in metrics)).length;
    if (absent > 0) summary.absent = absent;
    summaries[name] = summary;
  }
  return summaries;
}

function sameNumbers(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
}

/**
 * The plots of several seeds drawn as one: for each plot of the first seed and each of its series, when every
 * seed has that series on the same x values, y becomes the per-point mean over seeds (non-finite when any seed
 * diverged there, so the divergence marker shows) with the 95% t-interval as `lower`/`upper` (a series with
 * its own intervals keeps them, averaged over seeds, unless they have zero width everywhere); lines become bands. A series that differs in x between seeds keeps the first seed's values (the caption says so).
 */
export function aggregatePlots(results: ExperimentResult[], seeds: number[]): PlotSpec[] {
  const first = results[0];
  if (!first?.plots) return [];
  if (results.length === 1) return first.plots;
  return first.plots.map((plot) => {
    const others = results.map((result) => result.plots?.find((candidate) => candidate.id === plot.id));
    let unmatched = 0;
    let ownIntervals = 0;
    const series = plot.series.map((base): Series => {
      const matches = others.map((other) => other?.series.find((candidate) => candidate.name === base.name));
      if (matches.some((match) => match === undefined || !sameNumbers(match.x, base.x) || match.y.length !== base.y.length)) {
        unmatched += 1;
        return base;
      }
      const y: number[] = [];
      const lower: number[] = [];
      const upper: number[] = [];
      // A series with its own intervals (e.g. ± sd within a run) keeps them, averaged over seeds. Intervals of
      // zero width everywhere (an experiment's interval over the one inner seed a smoke run has) are no
      // intervals: the spread over the CLI's seeds is drawn instead.
      const own = matches.every(
        (match) =>
          match!.lower?.length === base.y.length &&
          match!.upper?.length === base.y.length &&
          match!.y.some((value, i) => Number.isFinite(value) && (match!.lower![i] !== value || match!.upper![i] !== value)),
      );
      if (own) ownIntervals += 1;
      const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
      for (let index = 0; index < base.y.length; index++) {
        const values = matches.map((match) => match!.y[index]!);
        if (values.some((value) => !Number.isFinite(value))) {
          y.push(Number.NaN);
          lower.push(Number.NaN);
          upper.push(Number.NaN);
          continue;
        }
        const summary = summarizeValues(values);
        y.push(summary.mean);
        lower.push(own ? mean(matches.map((match) => match!.lower![index]!)) : summary.lower);
        upper.push(own ? mean(matches.map((match) => match!.upper![index]!)) : summary.upper);
      }
      const aggregated: Series = { name: base.name, x: [...base.x], y, lower, upper };
      if (base.role !== undefined) aggregated.role = base.role;
      const diverged = matches.map((match) => match!.divergedAt).filter((x): x is number => x !== undefined);
      if (diverged.length > 0) aggregated.divergedAt = Math.min(...diverged);
      return aggregated;
    });
    const kind = plot.kind ?? 'line';
    const bars = kind === 'bar' || kind === 'point' ? 'error bars' : 'shaded';
    const intervals =
      ownIntervals === series.length
        ? `${bars}: the experiment's own intervals, averaged over seeds.`
        : `${bars}: 95% t-interval over seeds${ownIntervals > 0 ? ` (${ownIntervals} series keep the experiment's own intervals, averaged)` : ''}.`;
    const note =
      `Mean over ${results.length} seeds (${seeds.join(', ')}); ${intervals}` +
      (unmatched > 0 ? ` ${unmatched} series differ between seeds and show seed ${seeds[0]} only.` : '');
    const aggregated: PlotSpec = { ...plot, kind: kind === 'line' ? 'band' : kind, series, caption: plot.caption ? `${plot.caption} ${note}` : note };
    return aggregated;
  });
}

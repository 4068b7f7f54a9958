/**
 * Bootstrap confidence interval for Krippendorff's alpha, resampling units.
 */
import { badInput, checkNumberOption, checkOptions, invalidArgument } from '../validate.js';
import { type AlphaData, addUnitCoincidences, coincidenceMarginals, dataField, readUnits } from './coincidences.js';
import { disagreementMatrix } from './distance.js';
import { checkOrdinalDomain, type KrippendorffAlphaOptions, resolveAlphaMetric } from './krippendorff-alpha.js';

/**
 * A source of uniforms in [0, 1), typed structurally so this package needs no RNG class: core's `Rng`
 * fits (it has both methods), and so does `{ next: Math.random }` (not reproducible: avoid in tests).
 */
export type UniformSource = { next(): number } | { uniform(n: number): Float64Array };

export interface KrippendorffBootstrapOptions extends KrippendorffAlphaOptions {
  /** Seeded uniform source; required, so that a run can be reproduced. */
  rng: UniformSource;
  /** Number of bootstrap replicates; default 1000 (enough for a 95% percentile interval to ~0.01). */
  replicates?: number;
  /** Coverage of the percentile interval, in (0, 1); default 0.95. */
  confidence?: number;
}

export interface AlphaBootstrap {
  /** Alpha of the data itself. */
  alpha: number;
  /** Percentile interval bounds: the (1 - confidence)/2 and (1 + confidence)/2 quantiles of the replicates. */
  lower: number;
  upper: number;
  confidence: number;
  /** Replicates requested. */
  replicates: number;
  /** Replicates where alpha was undefined (all resampled values equal: D_e = 0); left out of the interval. */
  degenerateReplicates: number;
  /** Standard deviation of the kept replicate alphas. */
  standardError: number;
  /** The kept replicate alphas, sorted ascending. */
  replicateAlphas: Float64Array;
}

function uniformDraws(rng: UniformSource, n: number): Float64Array | number[] {
  const source = rng as { uniform?: unknown; next?: unknown };
  if (typeof source.uniform === 'function') return (source.uniform as (n: number) => Float64Array)(n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = (source.next as () => number)();
  return out;
}

/** Quantile by linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default). */
function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + (h - lo) * ((sorted[hi] as number) - (sorted[lo] as number));
}

/**
 * Krippendorff's alpha with a percentile bootstrap confidence interval. Each replicate draws as many
 * units as there are pairable units, uniformly with replacement, rebuilds the coincidence matrix (weighting
 * each unit by how often it was drawn) and recomputes alpha, ordinal marginals included.
 *
 * Design choice: this is the ordinary nonparametric bootstrap over units (units are the sampled
 * entities; coders within a unit stay together). Hayes & Krippendorff (2007, "Answering the call for a
 * standard reliability measure for coding data", KALPHA macro) resample pairable values instead; their
 * interval can differ for small data. Replicates with alpha undefined (every resampled value equal) are
 * counted in `degenerateReplicates` and left out; if all are, `BAD_INPUT`.
 *
 * Cost O(cells + replicates * (pairable units * d^2 + V^2)), memory O(values + V^2).
 */
export function krippendorffAlphaBootstrap(data: AlphaData, options: KrippendorffBootstrapOptions): AlphaBootstrap {
  const opts = checkOptions(options) as KrippendorffBootstrapOptions;
  const metric = resolveAlphaMetric(opts);
  const { rng } = opts;
  const source = rng as { uniform?: unknown; next?: unknown } | null | undefined;
  if (source === null || typeof source !== 'object' || (typeof source.uniform !== 'function' && typeof source.next !== 'function')) {
    invalidArgument('rng', 'rng is required: an object with next(): number or uniform(n): Float64Array (e.g. Rng.fromSeed(0) from @unbiased/core)');
  }
  const replicates = checkNumberOption('replicates', opts.replicates, 1000, { min: 1 });
  if (!Number.isInteger(replicates)) invalidArgument('replicates', `replicates must be an integer >= 1; got ${replicates}`);
  const confidence = checkNumberOption('confidence', opts.confidence, 0.95, { min: 0, max: 1, maxInclusive: false });
  if (confidence === 0) invalidArgument('confidence', 'confidence must be in (0, 1); got 0');
  const field = dataField(data);

  // Pairable units in compressed form: unit p holds levels[start[p]..start[p+1]) with their counts.
  const starts: number[] = [0];
  const unitLevels: number[] = [];
  const unitCounts: number[] = [];
  const unitSizes: number[] = [];
  const { domain } = readUnits(data, opts.valueDomain, (levels, distinct, counts, m) => {
    if (m < 2) return;
    for (let i = 0; i < distinct; i++) {
      const level = levels[i] as number;
      unitLevels.push(level);
      unitCounts.push(counts[level] as number);
    }
    starts.push(unitLevels.length);
    unitSizes.push(m);
  });
  checkOrdinalDomain(metric, domain.values, opts.valueDomain);
  const units = unitSizes.length;
  if (units === 0) badInput(field, `${field}: no unit has values from at least two coders; alpha is undefined`);
  const size = domain.values.length;
  const levelsBuffer = new Int32Array(size);
  const countsBuffer = new Float64Array(size);
  const fixedDelta = metric === 'ordinal' || typeof metric === 'function' ? null : disagreementMatrix(metric, domain.values, new Float64Array(size), field);

  const alphaOf = (weights: Int32Array | null): number => {
    const matrix = new Float64Array(size * size);
    for (let p = 0; p < units; p++) {
      const weight = weights === null ? 1 : (weights[p] as number);
      if (weight === 0) continue;
      const start = starts[p] as number;
      const distinct = (starts[p + 1] as number) - start;
      for (let i = 0; i < distinct; i++) {
        const level = unitLevels[start + i] as number;
        levelsBuffer[i] = level;
        countsBuffer[level] = unitCounts[start + i] as number;
      }
      addUnitCoincidences(matrix, size, levelsBuffer, distinct, countsBuffer, unitSizes[p] as number, weight);
      for (let i = 0; i < distinct; i++) countsBuffer[levelsBuffer[i] as number] = 0;
    }
    const { marginals, total } = coincidenceMarginals(matrix, size);
    const delta = fixedDelta ?? disagreementMatrix(metric, domain.values, marginals, field);
    let observed = 0;
    let expected = 0;
    for (let c = 0; c < size; c++) {
      for (let k = 0; k < size; k++) {
        const d = delta[c * size + k] as number;
        if (d === 0) continue;
        observed += (matrix[c * size + k] as number) * d;
        expected += (marginals[c] as number) * (marginals[k] as number) * d;
      }
    }
    return expected === 0 ? Number.NaN : 1 - ((total - 1) * observed) / expected;
  };

  const alpha = alphaOf(null);
  if (Number.isNaN(alpha)) {
    badInput(field, `${field}: expected disagreement is 0 (every pairable value is the same: a single-value domain); alpha is undefined`);
  }
  const kept: number[] = [];
  const weights = new Int32Array(units);
  for (let b = 0; b < replicates; b++) {
    weights.fill(0);
    const u = uniformDraws(rng, units);
    if (u.length !== units) invalidArgument('rng', `rng.uniform(${units}) returned ${u.length} numbers`);
    for (let i = 0; i < units; i++) {
      const x = u[i] as number;
      if (!(x >= 0 && x < 1)) invalidArgument('rng', `rng must give uniforms in [0, 1); got ${String(x)}`);
      const p = Math.floor(x * units);
      weights[p] = (weights[p] as number) + 1;
    }
    const a = alphaOf(weights);
    if (!Number.isNaN(a)) kept.push(a);
  }
  if (kept.length === 0) {
    badInput(field, `${field}: every bootstrap replicate had a single value (alpha undefined); too few pairable units to bootstrap`);
  }
  const sorted = Float64Array.from(kept).sort();
  let mean = 0;
  for (const a of sorted) mean += a;
  mean /= sorted.length;
  let sq = 0;
  for (const a of sorted) sq += (a - mean) ** 2;
  const tail = (1 - confidence) / 2;
  return {
    alpha,
    lower: quantileSorted(sorted, tail),
    upper: quantileSorted(sorted, 1 - tail),
    confidence,
    replicates,
    degenerateReplicates: replicates - sorted.length,
    standardError: sorted.length > 1 ? Math.sqrt(sq / (sorted.length - 1)) : 0,
    replicateAlphas: sorted,
  };
}

/**
 * Krippendorff's alpha through the coincidence matrix.
 */
import { badInput, checkOptions, invalidArgument } from '../validate.js';
import {
  type AlphaData,
  type Coincidences,
  dataField,
  krippendorffCoincidences,
  type ValueDomainOptions,
} from './coincidences.js';
import { type DistanceFunction, disagreementMatrix, LEVELS_OF_MEASUREMENT, type LevelOfMeasurement } from './distance.js';

/** Which disagreement to use: a level of measurement, or a custom distance (exactly one of the two). */
export interface AlphaMetricOptions {
  /** `'nominal' | 'ordinal' | 'interval' | 'ratio'`. Required unless `distance` is given: no default, because
   * interval and ordinal give different answers on the same data and picking one silently is a known trap. */
  level?: LevelOfMeasurement;
  /** A custom `delta^2(a, b)`; see {@link DistanceFunction}. */
  distance?: DistanceFunction;
}

export interface KrippendorffAlphaOptions extends AlphaMetricOptions, ValueDomainOptions {}

/** Validates `level` / `distance`; returns the one given. */
export function resolveAlphaMetric(options: AlphaMetricOptions): LevelOfMeasurement | DistanceFunction {
  const { level, distance } = options;
  if (level !== undefined && distance !== undefined) {
    invalidArgument('level', 'pass either level or distance, not both');
  }
  if (distance !== undefined) {
    if (typeof distance !== 'function') invalidArgument('distance', `distance must be a function (a, b, context) => number; got ${String(distance)}`);
    return distance;
  }
  if (level === undefined) {
    invalidArgument('level', `level is required: one of ${LEVELS_OF_MEASUREMENT.map((l) => `'${l}'`).join(', ')} (or pass distance)`);
  }
  if (!LEVELS_OF_MEASUREMENT.includes(level)) {
    invalidArgument('level', `level must be one of ${LEVELS_OF_MEASUREMENT.map((l) => `'${l}'`).join(', ')}; got ${String(level)}`);
  }
  return level;
}

/** Ordinal data given as string labels needs its order from the caller (sorting strings would not give it). */
export function checkOrdinalDomain(metric: LevelOfMeasurement | DistanceFunction, domain: readonly unknown[], valueDomain: unknown): void {
  if (metric === 'ordinal' && valueDomain === undefined && domain.some((v) => typeof v === 'string')) {
    invalidArgument('valueDomain', 'ordinal alpha on string labels needs valueDomain, the labels in order (sorting strings would not give their order)');
  }
}

/**
 * `alpha = 1 - (n - 1) * sum_{c,k} o_ck delta^2_ck / sum_{c,k} n_c n_k delta^2_ck` from a coincidence
 * matrix, with `delta^2` of the level of measurement or a custom distance. `BAD_INPUT` when no unit is
 * pairable or when the expected disagreement is 0 (a single value in all pairable data: alpha is 0/0).
 * Cost O(V^2).
 */
export function alphaFromCoincidences(coincidences: Coincidences, options: AlphaMetricOptions, field = 'coincidences'): number {
  const metric = resolveAlphaMetric(checkOptions(options));
  const { domain, matrix, marginals, total } = coincidences ?? ({} as Coincidences);
  if (!Array.isArray(domain) || !(matrix instanceof Float64Array) || !(marginals instanceof Float64Array)) {
    badInput(field, `${field} must be { domain, matrix, marginals, total } as returned by krippendorffCoincidences`);
  }
  const size = domain.length;
  if (matrix.length !== size * size || marginals.length !== size) {
    badInput(field, `${field}.matrix must be ${size} x ${size} and ${field}.marginals of length ${size} for a domain of ${size} levels`);
  }
  if (!(total > 0)) badInput(field, `${field}: no unit has values from at least two coders; alpha is undefined`);
  const delta = disagreementMatrix(metric, domain, marginals, field);
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < size; c++) {
    const nc = marginals[c] as number;
    for (let k = 0; k < size; k++) {
      const d = delta[c * size + k] as number;
      if (d === 0) continue;
      observed += (matrix[c * size + k] as number) * d;
      expected += nc * (marginals[k] as number) * d;
    }
  }
  if (expected === 0) {
    badInput(field, `${field}: expected disagreement is 0 (every pairable value is the same: a single-value domain); alpha is undefined`);
  }
  return 1 - ((total - 1) * observed) / expected;
}

/**
 * Krippendorff's alpha reliability coefficient (Krippendorff 2011, "Computing Krippendorff's
 * Alpha-Reliability"; Hayes & Krippendorff 2007):
 * `alpha = 1 - D_o / D_e = 1 - (n - 1) * sum_{c,k} o_ck delta^2_ck / sum_{c,k} n_c n_k delta^2_ck`,
 * with `o` the coincidence matrix (see {@link krippendorffCoincidences}), `n_c` its marginals and `n` the
 * number of pairable values. Missing values are allowed; units with fewer than two values are left out.
 *
 * Computed through the coincidence matrix: time linear in the number of cells (for a fixed number of
 * levels V) and memory O(V^2), never the O(N^2) pairwise sum. `level` (or `distance`) is required.
 * Errors: `BAD_INPUT` naming `reliabilityData` / `valueCounts` for bad shapes or values, no pairable unit,
 * or a single value (alpha 0/0); `INVALID_ARGUMENT` naming `level`, `distance` or `valueDomain`.
 *
 * ```ts
 * krippendorffAlpha([[1, 2, 3, NaN], [1, 2, 4, 2]], { level: 'interval' });
 * krippendorffAlpha({ valueCounts: [[2, 0], [1, 1]] }, { level: 'nominal' });
 * ```
 */
export function krippendorffAlpha(data: AlphaData, options: KrippendorffAlphaOptions): number {
  const opts = checkOptions(options);
  const metric = resolveAlphaMetric(opts);
  const coincidences = krippendorffCoincidences(data, { valueDomain: opts.valueDomain });
  checkOrdinalDomain(metric, coincidences.domain, opts.valueDomain);
  return alphaFromCoincidences(coincidences, { level: opts.level, distance: opts.distance }, dataField(data));
}

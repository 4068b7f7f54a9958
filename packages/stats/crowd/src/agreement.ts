/**
 * Inter-worker agreement per dimension (Krippendorff's alpha over the rating scale).
 */
import { isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import { type AlphaBootstrap, krippendorffAlpha, krippendorffAlphaBootstrap, type LevelOfMeasurement, type UniformSource } from '@unbiased/metrics';
import { type JudgmentTable, resolveDimension } from './judgments.js';

export interface DimensionAgreementOptions {
  /**
   * Level of measurement; default `'interval'`: the scale's values are equally spaced numeric ratings, and
   * the interval alpha is what the truthfulness crowdsourcing papers report (inferred). Use `'ordinal'` to only
   * trust the order of the levels.
   */
  level?: LevelOfMeasurement;
  /** Dimensions to score; default all, in table order. */
  dimensions?: readonly string[];
  /** Percentile bootstrap CI over units (see `krippendorffAlphaBootstrap` in @unbiased/metrics). */
  bootstrap?: { rng: UniformSource; replicates?: number; confidence?: number };
}

export interface DimensionAgreement {
  dimension: string;
  alpha: number;
  /** Units with at least two judgments on this dimension (the only ones that count). */
  pairableUnits: number;
  /** Judgments in pairable units. */
  pairableJudgments: number;
  /** Present when `bootstrap` was requested. */
  interval?: Pick<AlphaBootstrap, 'lower' | 'upper' | 'confidence' | 'replicates' | 'degenerateReplicates' | 'standardError'>;
}

/** Value counts (units x scale levels) of one dimension, for Krippendorff's alpha. */
export function dimensionValueCounts(table: JudgmentTable, d: number): { valueCounts: Int32Array[]; pairableUnits: number; pairableJudgments: number } {
  const levels = table.scale.levels;
  const levelOf = new Map(levels.map((v, i) => [v, i]));
  const valueCounts = table.units.map(() => new Int32Array(levels.length));
  for (let i = 0; i < table.size; i++) {
    if (table.dimensionIndex[i] !== d) continue;
    const row = valueCounts[table.unitIndex[i] as number] as Int32Array;
    const level = levelOf.get(table.value[i] as number) as number;
    row[level] = (row[level] as number) + 1;
  }
  let pairableUnits = 0;
  let pairableJudgments = 0;
  for (const row of valueCounts) {
    let m = 0;
    for (const c of row) m += c;
    if (m >= 2) {
      pairableUnits++;
      pairableJudgments += m;
    }
  }
  return { valueCounts, pairableUnits, pairableJudgments };
}

/**
 * Krippendorff's alpha of the workers' ratings on each dimension (units = the rated statements, coders = the
 * workers, values = the rating scale levels; missing = a worker who did not rate a unit). A dimension where
 * alpha is undefined (no unit with two judgments, or a single value throughout) is `BAD_INPUT` naming
 * `dimension` with the dimension in the message; never a NaN.
 */
export function dimensionAgreement(table: JudgmentTable, options: DimensionAgreementOptions = {}): DimensionAgreement[] {
  const { level = 'interval', bootstrap } = options;
  const names = options.dimensions ?? table.dimensions;
  return names.map((name) => {
    const d = resolveDimension(table, name);
    const { valueCounts, pairableUnits, pairableJudgments } = dimensionValueCounts(table, d);
    const valueDomain = [...table.scale.levels];
    try {
      const alpha = krippendorffAlpha({ valueCounts }, { level, valueDomain });
      const result: DimensionAgreement = { dimension: name, alpha, pairableUnits, pairableJudgments };
      if (bootstrap) {
        const ci = krippendorffAlphaBootstrap({ valueCounts }, { level, valueDomain, ...bootstrap });
        result.interval = {
          lower: ci.lower,
          upper: ci.upper,
          confidence: ci.confidence,
          replicates: ci.replicates,
          degenerateReplicates: ci.degenerateReplicates,
          standardError: ci.standardError,
        };
      }
      return result;
    } catch (error) {
      if (isUnbiasedError(error, 'BAD_INPUT')) {
        throw new UnbiasedError('BAD_INPUT', `dimension "${name}": ${error.message}`, { field: 'dimension', cause: error });
      }
      throw error;
    }
  });
}

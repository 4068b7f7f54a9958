/**
 * Smoothed target (mean) encoding of a categorical column, fitted on training rows only.
 */
import { checkOptions, UnbiasedError } from '@unbiased/core/errors';

/** Options of {@link fitTargetEncoder}. */
export interface TargetEncoderOptions {
  /**
   * Smoothing weight m: enc(c) = (n_c·ȳ_c + m·ȳ) / (n_c + m); default 10 (inferred: the FairTTTS paper
   * target-encodes categoricals but does not give the smoothing; 10 is a common choice).
   */
  smoothing?: number;
}

/** A fitted encoder: category → encoded value; unseen categories get the training prior ȳ. */
export interface TargetEncoder {
  prior: number;
  values: ReadonlyMap<string, number>;
  /** Encodes a column (any category, including unseen ones and the missing marker). */
  transform(categories: readonly string[]): Float64Array;
}

/**
 * Fits a smoothed target encoder on the training rows `rows` of `categories` with binary `labels`:
 * enc(c) = (n_c·ȳ_c + m·ȳ) / (n_c + m) with ȳ the training positive rate. Fit it inside each CV training
 * fold and apply it to the test fold, or the encoding leaks the test labels.
 *
 * Reference: Micci-Barreca, "A Preprocessing Scheme for High-Cardinality Categorical Attributes in
 * Classification and Prediction Problems", SIGKDD Explorations 3(1), 2001, §3.
 */
export function fitTargetEncoder(
  categories: readonly string[],
  labels: ArrayLike<number>,
  rows: ArrayLike<number>,
  options?: TargetEncoderOptions,
): TargetEncoder {
  const m = checkOptions(options).smoothing ?? 10;
  if (typeof m !== 'number' || !Number.isFinite(m) || m < 0) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `smoothing must be a finite number >= 0; got ${String(m)}`, { field: 'smoothing' });
  }
  if (rows.length === 0) throw new UnbiasedError('BAD_INPUT', 'rows must not be empty: the encoder needs training rows', { field: 'rows' });
  const sums = new Map<string, [number, number]>();
  let total = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k] as number;
    const c = categories[i];
    const y = labels[i] as number;
    if (c === undefined) throw new UnbiasedError('BAD_INPUT', `rows[${k}] = ${i} is out of range`, { field: 'rows' });
    const s = sums.get(c) ?? [0, 0];
    s[0] += y;
    s[1] += 1;
    sums.set(c, s);
    total += y;
  }
  const prior = total / rows.length;
  const values = new Map<string, number>();
  for (const [c, [sum, count]] of sums) values.set(c, (sum + m * prior) / (count + m));
  return {
    prior,
    values,
    transform(column) {
      const out = new Float64Array(column.length);
      for (let i = 0; i < column.length; i++) out[i] = values.get(column[i] as string) ?? prior;
      return out;
    },
  };
}

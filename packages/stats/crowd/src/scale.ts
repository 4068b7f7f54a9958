/**
 * Rating scales: the ordered set of values a judgment may take.
 */
import { UnbiasedError } from '@unbiased/core/errors';

/** The declared rating scale: the allowed values, strictly increasing (e.g. -2..2 for a 5-level Likert item). */
export interface RatingScale {
  readonly levels: readonly number[];
}

/**
 * A scale of the given finite numbers, checked strictly increasing and of at least two levels.
 * `INVALID_ARGUMENT` naming `levels` otherwise.
 */
export function ratingScale(levels: readonly number[]): RatingScale {
  if (!Array.isArray(levels) || levels.length < 2) {
    throw new UnbiasedError('INVALID_ARGUMENT', `levels must list at least two rating values; got ${JSON.stringify(levels)}`, { field: 'levels' });
  }
  for (let i = 0; i < levels.length; i++) {
    const v = levels[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || (i > 0 && v <= (levels[i - 1] as number))) {
      throw new UnbiasedError('INVALID_ARGUMENT', `levels must be finite numbers in strictly increasing order; levels[${i}] = ${String(v)}`, {
        field: 'levels',
      });
    }
  }
  return { levels: Object.freeze([...levels]) };
}

/** The integer scale `min, min + 1, ..., max`; `likertScale(-2, 2)` is the 5-level scale of Soprano et al. (2021). */
export function likertScale(min: number, max: number): RatingScale {
  if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min) {
    throw new UnbiasedError('INVALID_ARGUMENT', `likertScale needs integers min < max; got min = ${min}, max = ${max}`, { field: 'max' });
  }
  return ratingScale(Array.from({ length: max - min + 1 }, (_, i) => min + i));
}

/** Describes a scale for messages: `{-2, -1, 0, 1, 2}`. */
export function describeScale(scale: RatingScale): string {
  return `{${scale.levels.join(', ')}}`;
}

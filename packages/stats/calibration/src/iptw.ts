import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { checkChoice, checkSameLength, describeValue, finiteArray, propensityArray, treatmentArray } from './validate.js';

/** `'horvitz-thompson'`: mean(T y/p − (1−T) y/(1−p)); `'hajek'`: difference of IPTW-weighted (self-normalised) arm means. */
export type IptwEstimator = 'horvitz-thompson' | 'hajek';

export interface IptwOptions {
  /** Propensities are clipped to [clip, 1 − clip] (default 1e-6, as the OneMapManyTrials simulation). */
  clip?: number;
}

function clipOption(options: IptwOptions | undefined): number {
  if (options?.clip === undefined) return 1e-6;
  return checkHyperparameter('clip', options.clip, { min: 0, max: 0.5, maxInclusive: false });
}

/**
 * Inverse-probability-of-treatment weights, w_i = T_i / p_i + (1 − T_i) / (1 − p_i), with p clipped to
 * [clip, 1 − clip]. `treatment` must be 0/1 and `propensity` in [0, 1], same length.
 */
export function iptwWeights(treatment: ArrayLike<number>, propensity: ArrayLike<number>, options: IptwOptions = {}): Float64Array {
  const t = treatmentArray('treatment', treatment);
  const p = propensityArray('propensity', propensity);
  checkSameLength('treatment', t, 'propensity', p);
  const clip = clipOption(options);
  const w = new Float64Array(t.length);
  for (let i = 0; i < t.length; i++) {
    const pi = Math.min(1 - clip, Math.max(clip, p[i] as number));
    w[i] = t[i] === 1 ? 1 / pi : 1 / (1 - pi);
  }
  return w;
}

export interface IptwAteInput extends IptwOptions {
  outcomes: ArrayLike<number>;
  treatment: ArrayLike<number>;
  propensity: ArrayLike<number>;
  /** Default `'horvitz-thompson'` (the OneMapManyTrials simulation's IPTW ATE). */
  estimator?: IptwEstimator;
}

/**
 * IPTW average treatment effect. Horvitz-Thompson (default, as the paper's simulation):
 * ATE = (1/n) Σ_i [T_i y_i / p_i − (1 − T_i) y_i / (1 − p_i)]. Hájek: Σ_T w y / Σ_T w − Σ_C w y / Σ_C w.
 * Both arms must be non-empty.
 */
export function iptwAte(input: IptwAteInput): number {
  if (input === null || typeof input !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `input must be an object; got ${describeValue(input)}`, { field: 'input' });
  }
  const y = finiteArray('outcomes', input.outcomes);
  const t = treatmentArray('treatment', input.treatment);
  checkSameLength('outcomes', y, 'treatment', t);
  const w = iptwWeights(t, input.propensity, input);
  checkSameLength('outcomes', y, 'propensity', w);
  const estimator = checkChoice('estimator', input.estimator, ['horvitz-thompson', 'hajek'] as const, 'horvitz-thompson');
  let treatedSum = 0;
  let controlSum = 0;
  let treatedWeight = 0;
  let controlWeight = 0;
  for (let i = 0; i < y.length; i++) {
    const contribution = (w[i] as number) * (y[i] as number);
    if (t[i] === 1) {
      treatedSum += contribution;
      treatedWeight += w[i] as number;
    } else {
      controlSum += contribution;
      controlWeight += w[i] as number;
    }
  }
  if (treatedWeight === 0 || controlWeight === 0) {
    throw new UnbiasedError('BAD_INPUT', `treatment must contain both treated (1) and control (0) units; got only ${treatedWeight === 0 ? 'controls' : 'treated'}`, {
      field: 'treatment',
    });
  }
  if (estimator === 'hajek') return treatedSum / treatedWeight - controlSum / controlWeight;
  return (treatedSum - controlSum) / y.length;
}

import { UnbiasedError } from '@unbiased/core/errors';
import { type IptwOptions, iptwWeights } from './iptw.js';
import { normalQuantile } from './normal-quantile.js';
import { type PpiEstimate, ppiMean } from './ppi.js';
import { checkSameLength, describeValue, finiteArray, treatmentArray } from './validate.js';

export interface PpiAteInput extends IptwOptions {
  /** Units with fresh labels: truth, prediction and treatment (and propensity for IPTW). */
  labeled: { truth: ArrayLike<number>; predictions: ArrayLike<number>; treatment: ArrayLike<number>; propensity?: ArrayLike<number> };
  /** Units without labels. */
  unlabeled: { predictions: ArrayLike<number>; treatment: ArrayLike<number>; propensity?: ArrayLike<number> };
  /** λ per arm: number in [0, 1] or `'tuned'` (PPI++). Default 1 (PPI, the notebook's per-arm variant). */
  lambda?: number | 'tuned';
  /** Error level of the interval (default 0.1). */
  alpha?: number;
}

export interface PpiAteResult {
  ate: number;
  /** √(se₁² + se₀²): the arms are independent samples. */
  standardError: number;
  ci: [number, number];
  treated: PpiEstimate;
  control: PpiEstimate;
}

interface Arm {
  truth: number[];
  predictions: number[];
  weights: number[];
  unlabeled: number[];
  unlabeledWeights: number[];
}

/**
 * ATE by PPI per arm (OneMapManyTrials notebook, weighted variant): μ_arm = Σ w ŷ_unl / Σ w + Σ w (y − λŷ)_lab / Σ w
 * (with λ = 1 as the notebook, or tuned per arm), ATE = μ₁ − μ₀, weights IPTW (1/p treated, 1/(1 − p) control)
 * when propensities are given, else 1. The interval uses √(se₁² + se₀²) (ours: arms are disjoint samples; the
 * weights are treated as fixed). Each arm needs >= 2 labeled and >= 1 unlabeled units.
 */
export function ppiAte(input: PpiAteInput): PpiAteResult {
  if (input === null || typeof input !== 'object' || input.labeled === null || typeof input.labeled !== 'object' || input.unlabeled === null || typeof input.unlabeled !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `input must be { labeled, unlabeled, ... }; got ${describeValue(input)}`, { field: 'input' });
  }
  const y = finiteArray('labeled.truth', input.labeled.truth);
  const f = finiteArray('labeled.predictions', input.labeled.predictions);
  checkSameLength('labeled.truth', y, 'labeled.predictions', f);
  const t = treatmentArray('labeled.treatment', input.labeled.treatment);
  checkSameLength('labeled.truth', y, 'labeled.treatment', t);
  const fu = finiteArray('unlabeled.predictions', input.unlabeled.predictions);
  const tu = treatmentArray('unlabeled.treatment', input.unlabeled.treatment);
  checkSameLength('unlabeled.predictions', fu, 'unlabeled.treatment', tu);
  const w = input.labeled.propensity === undefined ? new Float64Array(y.length).fill(1) : iptwWeights(t, input.labeled.propensity, input);
  const wu = input.unlabeled.propensity === undefined ? new Float64Array(fu.length).fill(1) : iptwWeights(tu, input.unlabeled.propensity, input);
  if (w.length !== y.length) throw new UnbiasedError('SHAPE_MISMATCH', 'labeled.propensity must have one value per labeled unit', { field: 'labeled.propensity' });
  if (wu.length !== fu.length) throw new UnbiasedError('SHAPE_MISMATCH', 'unlabeled.propensity must have one value per unlabeled unit', { field: 'unlabeled.propensity' });
  const arms: [Arm, Arm] = [
    { truth: [], predictions: [], weights: [], unlabeled: [], unlabeledWeights: [] },
    { truth: [], predictions: [], weights: [], unlabeled: [], unlabeledWeights: [] },
  ];
  for (let i = 0; i < y.length; i++) {
    const arm = arms[t[i] as 0 | 1];
    arm.truth.push(y[i] as number);
    arm.predictions.push(f[i] as number);
    arm.weights.push(w[i] as number);
  }
  for (let i = 0; i < fu.length; i++) {
    const arm = arms[tu[i] as 0 | 1];
    arm.unlabeled.push(fu[i] as number);
    arm.unlabeledWeights.push(wu[i] as number);
  }
  const lambda = input.lambda ?? 1;
  const estimate = (arm: Arm, name: string): PpiEstimate => {
    if (arm.truth.length < 2) {
      throw new UnbiasedError('BAD_INPUT', `labeled.treatment has ${arm.truth.length} ${name} units; PPI needs at least 2 labeled units per arm`, {
        field: 'labeled.treatment',
      });
    }
    if (arm.unlabeled.length < 1) {
      throw new UnbiasedError('BAD_INPUT', `unlabeled.treatment has no ${name} units; PPI needs unlabeled units in each arm`, { field: 'unlabeled.treatment' });
    }
    return ppiMean(arm.truth, arm.predictions, arm.unlabeled, { lambda, alpha: input.alpha, weights: arm.weights, unlabeledWeights: arm.unlabeledWeights });
  };
  const treated = estimate(arms[1], 'treated');
  const control = estimate(arms[0], 'control');
  const ate = treated.estimate - control.estimate;
  const standardError = Math.sqrt(treated.standardError ** 2 + control.standardError ** 2);
  const z = normalQuantile(1 - treated.alpha / 2);
  return { ate, standardError, ci: [ate - z * standardError, ate + z * standardError], treated, control };
}

import { UnbiasedError } from '@unbiased/core/errors';
import type { CalibrationDiagnostics, Debiaser } from './diagnostics.js';
import { type IptwEstimator, iptwAte, type IptwOptions } from './iptw.js';
import { mean, weightedMean } from './stats.js';
import { describeValue, finiteArray, weightArray } from './validate.js';

export interface AteResult {
  /** The effect estimated from corrected predictions (or from raw ones when no debiaser is given). */
  ate: number;
  /** The same estimator on the raw predictions. */
  naiveAte: number;
  /** The debiaser's diagnostics for this call (null without a debiaser). */
  diagnostics: CalibrationDiagnostics | null;
}

/** Corrects treated and control predictions in one call, so a `'target'` KDE sees all downstream predictions. */
function correctJointly(debiaser: Debiaser | undefined, predictions: Float64Array): { values: Float64Array; diagnostics: CalibrationDiagnostics | null } {
  if (debiaser === undefined) return { values: predictions, diagnostics: null };
  if (debiaser === null || typeof debiaser !== 'object' || typeof debiaser.correct !== 'function') {
    throw new UnbiasedError('INVALID_ARGUMENT', `debiaser must be a fitted debiaser (LCC or Tweedie); got ${describeValue(debiaser)}`, { field: 'debiaser' });
  }
  const { values, diagnostics } = debiaser.correct(predictions);
  return { values, diagnostics };
}

export interface DebiasedAteInput {
  treatedPredictions: ArrayLike<number>;
  controlPredictions: ArrayLike<number>;
  /** Optional weights per treated unit (e.g. IPTW); the arm mean becomes Σ w ỹ / Σ w. */
  treatedWeights?: ArrayLike<number>;
  controlWeights?: ArrayLike<number>;
  /** A fitted LCC or Tweedie debiaser; omitted = naive. */
  debiaser?: Debiaser;
}

/**
 * `debiased_ate` of `unshrink/base.py`: the (weighted) mean of corrected treated predictions minus the
 * (weighted) mean of corrected control predictions. Both arms are corrected in one call.
 */
export function debiasedAte(input: DebiasedAteInput): AteResult {
  if (input === null || typeof input !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `input must be an object; got ${describeValue(input)}`, { field: 'input' });
  }
  const treated = finiteArray('treatedPredictions', input.treatedPredictions);
  const control = finiteArray('controlPredictions', input.controlPredictions);
  const wt = input.treatedWeights === undefined ? null : weightArray('treatedWeights', input.treatedWeights, treated.length);
  const wc = input.controlWeights === undefined ? null : weightArray('controlWeights', input.controlWeights, control.length);
  const all = new Float64Array(treated.length + control.length);
  all.set(treated, 0);
  all.set(control, treated.length);
  const { values, diagnostics } = correctJointly(input.debiaser, all);
  const armMean = (v: Float64Array, w: Float64Array | null) => (w === null ? mean(v) : weightedMean(v, w));
  const ate = armMean(values.subarray(0, treated.length), wt) - armMean(values.subarray(treated.length), wc);
  const naiveAte = armMean(treated, wt) - armMean(control, wc);
  return { ate, naiveAte, diagnostics };
}

export interface DebiasedIptwAteInput extends IptwOptions {
  predictions: ArrayLike<number>;
  treatment: ArrayLike<number>;
  propensity: ArrayLike<number>;
  debiaser?: Debiaser;
  /** Default `'horvitz-thompson'`. */
  estimator?: IptwEstimator;
}

/** The IPTW ATE ({@link iptwAte}) of the corrected predictions of all units (corrected in one call). */
export function debiasedIptwAte(input: DebiasedIptwAteInput): AteResult {
  if (input === null || typeof input !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `input must be an object; got ${describeValue(input)}`, { field: 'input' });
  }
  const predictions = finiteArray('predictions', input.predictions);
  const { values, diagnostics } = correctJointly(input.debiaser, predictions);
  const common = { treatment: input.treatment, propensity: input.propensity, estimator: input.estimator, clip: input.clip };
  return {
    ate: iptwAte({ ...common, outcomes: values }),
    naiveAte: iptwAte({ ...common, outcomes: predictions }),
    diagnostics,
  };
}

import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { addWarning, type CalibrationDiagnostics, type Correction, checkSupport, copyDiagnostics, type Debiaser } from './diagnostics.js';
import { type GaussianKde, gaussianKde, kdeScore } from './kde.js';
import { isConstant, mean, minMax, std } from './stats.js';
import { checkChoice, checkInteger, checkSameLength, describeValue, finiteArray } from './validate.js';

/** Where the KDE behind the score comes from. */
export type KdeSource = 'calibration' | 'target';

export interface TweedieOptions {
  /**
   * `'calibration'` (default, `unshrink/tweedie.py`): the KDE is fitted once on the calibration predictions.
   * `'target'` (the OneMapManyTrials notebook): the KDE is fitted on the predictions being corrected, at each
   * `correct` call; correct all downstream predictions in one call (the ATE helpers do) so they share one KDE.
   */
  kdeSource?: KdeSource;
  /** Central-difference half-width δ; default max(1e-3 · max(sd(ŷ_kde), √ε), 1e-8), sd with ddof 0. */
  delta?: number;
  /** Kernel bandwidth; default Scott's rule on the KDE sample (as scipy's `gaussian_kde`). */
  bandwidth?: number;
  /** A separate split to estimate σ̂ from (`cal_predictions_sigma` / `cal_targets_sigma`); default the calibration split. */
  sigmaCalibration?: { predictions: ArrayLike<number>; truth: ArrayLike<number> };
  /** KDE score evaluation, see {@link kdeScore} (default `'exact'`). */
  impl?: 'exact' | 'grid';
  /** Grid nodes for `impl: 'grid'` (default 4096). */
  gridSize?: number;
  /** Fewer calibration points than this adds `small_calibration_sample` (default 100, as unshrink). */
  minCalibrationSize?: number;
}

/** A fitted Tweedie correction. */
export interface TweedieCalibration extends Debiaser {
  readonly method: 'tweedie';
  /** σ̂ = sd(ŷ − y) on the σ split (ddof 0). */
  readonly sigma: number;
  readonly kdeSource: KdeSource;
  /** The calibration KDE (null for `'target'`, or when σ̂ = 0). */
  readonly kde: GaussianKde | null;
}

/**
 * Tweedie's formula, ỹ = ŷ − σ² · s(ŷ), for given scores s (e.g. an analytic score, or {@link kdeScore}).
 */
export function tweedieCorrection(predictions: ArrayLike<number>, scores: ArrayLike<number>, sigma: number): Float64Array {
  const p = finiteArray('predictions', predictions);
  const s = finiteArray('scores', scores);
  checkSameLength('predictions', p, 'scores', s);
  checkHyperparameter('sigma', sigma, { min: 0 });
  const out = new Float64Array(p.length);
  const s2 = sigma * sigma;
  for (let i = 0; i < p.length; i++) out[i] = (p[i] as number) - s2 * (s[i] as number);
  return out;
}

function defaultDelta(values: Float64Array): number {
  return Math.max(1e-3 * Math.max(std(values), Math.sqrt(Number.EPSILON)), 1e-8);
}

/**
 * Tweedie's correction ("Berkson / score-swap"; Pettersson, Jerzak & Daoud, arXiv 2508.01341, AAAI'26;
 * `unshrink/tweedie.py`). σ̂ = sd(ŷ_cal − y_cal); p̂ is a Gaussian KDE (Scott's bandwidth) of the predictions;
 * the score s(z) = [log p̂(z+δ) − log p̂(z−δ)]/(2δ); the corrected value is ỹ = ŷ − σ̂² s(ŷ).
 * Rationale: if Ŷ = E[Y | Z] for a noisy measurement Z = Y + N(0, σ_z²), Tweedie's formula recovers Z, whose
 * group means are unbiased; for Gaussian Y it equals the population LCC map.
 *
 * σ̂ = 0 returns the identity with the `zero_sigma_identity` warning. Calibration predictions with a single
 * value (and σ̂ > 0) throw `DEGENERATE_CALIBRATION`. Fewer than 100 calibration points warn
 * `small_calibration_sample`; predictions outside the calibration support warn `outside_calibration_support`.
 */
export function fitTweedie(calPredictions: ArrayLike<number>, calTruth: ArrayLike<number>, options: TweedieOptions = {}): TweedieCalibration {
  const predictions = finiteArray('calPredictions', calPredictions, 2);
  const truth = finiteArray('calTruth', calTruth, 2);
  checkSameLength('calPredictions', predictions, 'calTruth', truth);
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `options must be an object; got ${describeValue(options)}`, { field: 'options' });
  }
  const kdeSource = checkChoice('kdeSource', options.kdeSource, ['calibration', 'target'] as const, 'calibration');
  const impl = checkChoice('impl', options.impl, ['exact', 'grid'] as const, 'exact');
  const gridSize = checkInteger('gridSize', options.gridSize, 4096, 8);
  const minCalibrationSize = checkInteger('minCalibrationSize', options.minCalibrationSize, 100, 0);
  const fixedDelta = options.delta === undefined ? undefined : checkHyperparameter('delta', options.delta, { min: 0, minInclusive: false });
  const bandwidth = options.bandwidth === undefined ? undefined : checkHyperparameter('bandwidth', options.bandwidth, { min: 0, minInclusive: false });

  let sigmaPredictions = predictions;
  let sigmaTruth = truth;
  let sigmaSource = 'calibration';
  if (options.sigmaCalibration !== undefined) {
    sigmaPredictions = finiteArray('sigmaCalibration.predictions', options.sigmaCalibration?.predictions, 2);
    sigmaTruth = finiteArray('sigmaCalibration.truth', options.sigmaCalibration?.truth, 2);
    checkSameLength('sigmaCalibration.predictions', sigmaPredictions, 'sigmaCalibration.truth', sigmaTruth);
    sigmaSource = 'separate';
  }
  const residuals = new Float64Array(sigmaPredictions.length);
  for (let i = 0; i < residuals.length; i++) residuals[i] = (sigmaPredictions[i] as number) - (sigmaTruth[i] as number);
  const sigma = std(residuals);

  const [predictionMin, predictionMax] = minMax(predictions);
  const diagnostics: CalibrationDiagnostics = {
    method: 'tweedie',
    calibrationSize: predictions.length,
    predictionMin,
    predictionMax,
    residualStd: sigma,
    warnings: [],
    messages: [],
    details: { sigma, sigmaSource, kdeSource, predictionStd: std(predictions) },
  };
  let kde: GaussianKde | null = null;
  let delta = 0;
  if (sigma === 0) {
    addWarning(diagnostics, 'zero_sigma_identity', 'σ̂ = 0 (predictions equal the truth on the calibration split): the correction is the identity');
  } else if (kdeSource === 'calibration') {
    if (isConstant(predictions)) {
      throw new UnbiasedError(
        'DEGENERATE_CALIBRATION',
        `calPredictions holds a single value (${predictions[0]}): Tweedie's KDE needs at least two distinct calibration predictions`,
        { field: 'calPredictions' },
      );
    }
    kde = gaussianKde(predictions, { bandwidth, field: 'calPredictions' });
    delta = fixedDelta ?? defaultDelta(predictions);
    diagnostics.details.bandwidth = kde.bandwidth;
    diagnostics.details.delta = delta;
  }
  if (predictions.length < minCalibrationSize) {
    addWarning(diagnostics, 'small_calibration_sample', `only ${predictions.length} calibration points (< ${minCalibrationSize}): the KDE score and σ̂ are noisy`);
  }

  return {
    method: 'tweedie',
    sigma,
    kdeSource,
    kde,
    diagnostics,
    correct(values: ArrayLike<number>): Correction {
      const input = finiteArray('predictions', values);
      const callDiagnostics = copyDiagnostics(diagnostics);
      checkSupport(callDiagnostics, input);
      if (sigma === 0) return { values: input, mean: mean(input), diagnostics: callDiagnostics };
      let scoreKde = kde;
      let scoreDelta = delta;
      if (kdeSource === 'target') {
        if (isConstant(input)) {
          throw new UnbiasedError(
            'DEGENERATE_CALIBRATION',
            `predictions hold a single value (${input[0]}): kdeSource 'target' fits its KDE on them and needs two distinct values`,
            { field: 'predictions' },
          );
        }
        scoreKde = gaussianKde(input, { bandwidth, field: 'predictions' });
        scoreDelta = fixedDelta ?? defaultDelta(input);
        callDiagnostics.details.bandwidth = scoreKde.bandwidth;
        callDiagnostics.details.delta = scoreDelta;
      }
      const scores = kdeScore(scoreKde as GaussianKde, input, { delta: scoreDelta, impl, gridSize });
      const corrected = tweedieCorrection(input, scores, sigma);
      return { values: corrected, mean: mean(corrected), diagnostics: callDiagnostics };
    },
  };
}

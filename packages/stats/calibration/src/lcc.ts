import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { addWarning, type CalibrationDiagnostics, type Correction, checkSupport, copyDiagnostics, type Debiaser } from './diagnostics.js';
import { isConstant, mean, minMax, olsLine } from './stats.js';
import { checkInteger, checkSameLength, describeValue, finiteArray, finiteScalar } from './validate.js';

export interface LinearCalibrationOptions {
  /** A fitted slope at or below this throws `BAD_CALIBRATION_SLOPE` (default 1e-8, as unshrink). */
  minSlope?: number;
  /** A fitted slope below this adds the `unstable_slope` warning (default 0.2, as unshrink). */
  unstableSlopeBelow?: number;
  /** Fewer calibration points than this adds `small_calibration_sample` (default 100; our choice for LCC). */
  minCalibrationSize?: number;
}

/** A fitted linear calibration correction. */
export interface LinearCalibration extends Debiaser {
  readonly method: 'lcc';
  /** a in ŷ = a + b·y. */
  readonly intercept: number;
  /** b in ŷ = a + b·y. */
  readonly slope: number;
}

/**
 * ỹ = (ŷ − a) / b for every prediction (the LCC correction of Pettersson, Jerzak & Daoud, arXiv 2508.01341).
 *
 * Validates its input: `predictions` must be finite numbers, `intercept` and `slope` finite (`NON_FINITE`
 * naming the field otherwise), `slope` non-zero (`BAD_CALIBRATION_SLOPE`: dividing by 0 is undefined), and
 * a corrected value that overflows float64 (a tiny slope) throws `NON_FINITE` naming `slope`.
 */
export function applyLinearCalibration(predictions: ArrayLike<number>, intercept: number, slope: number): Float64Array {
  const values = finiteArray('predictions', predictions, 0);
  finiteScalar('intercept', intercept);
  finiteScalar('slope', slope);
  if (slope === 0) {
    throw new UnbiasedError('BAD_CALIBRATION_SLOPE', 'slope must be non-zero: (ŷ − a)/b is undefined for b = 0', { field: 'slope' });
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const corrected = ((values[i] as number) - intercept) / slope;
    if (!Number.isFinite(corrected)) {
      throw new UnbiasedError('NON_FINITE', `(predictions[${i}] − intercept) / slope overflows: (${values[i]} − ${intercept}) / ${slope}; the slope is too small`, {
        field: 'slope',
      });
    }
    out[i] = corrected;
  }
  return out;
}

/**
 * Linear calibration correction, LCC (Pettersson, Jerzak & Daoud, "Debiasing machine learning predictions for
 * causal inference", arXiv 2508.01341, AAAI'26; `unshrink/lcc.py`). On a held-out calibration split
 * (out-of-sample predictions) it regresses prediction on truth, ŷ = a + b·y (OLS), and corrects
 * ỹ = (ŷ − a)/b. If ŷ = a + bY + ε with E[ε | Y, T] = 0, then E[ỹ | Y, T] = Y, so group-mean contrasts of
 * ỹ are unbiased for the effect on Y.
 *
 * Throws `DEGENERATE_CALIBRATION` when `calTruth` holds a single value (the regression is undefined) and
 * `BAD_CALIBRATION_SLOPE` when b <= `minSlope`; warns (`unstable_slope`) when b < 0.2, and
 * (`small_calibration_sample`) below 100 points. `correct` warns when predictions leave the calibration support.
 */
export function fitLinearCalibration(
  calPredictions: ArrayLike<number>,
  calTruth: ArrayLike<number>,
  options: LinearCalibrationOptions = {},
): LinearCalibration {
  const predictions = finiteArray('calPredictions', calPredictions, 2);
  const truth = finiteArray('calTruth', calTruth, 2);
  checkSameLength('calPredictions', predictions, 'calTruth', truth);
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `options must be an object; got ${describeValue(options)}`, { field: 'options' });
  }
  const minSlope = options.minSlope === undefined ? 1e-8 : checkHyperparameter('minSlope', options.minSlope, { min: 0 });
  const unstableSlopeBelow = options.unstableSlopeBelow === undefined ? 0.2 : checkHyperparameter('unstableSlopeBelow', options.unstableSlopeBelow, { min: 0 });
  const minCalibrationSize = checkInteger('minCalibrationSize', options.minCalibrationSize, 100, 0);
  if (isConstant(truth)) {
    throw new UnbiasedError(
      'DEGENERATE_CALIBRATION',
      `calTruth holds a single value (${truth[0]}): the regression of predictions on truth is undefined; the calibration split needs varied outcomes`,
      { field: 'calTruth' },
    );
  }
  const [intercept, slope] = olsLine(truth, predictions);
  if (!(slope > minSlope)) {
    throw new UnbiasedError(
      'BAD_CALIBRATION_SLOPE',
      `slope b = ${slope} of calPredictions on calTruth is <= ${minSlope}: the predictions do not increase with the truth, so (ŷ − a)/b is undefined or reverses the sign of effects`,
      { field: 'slope' },
    );
  }
  let residualSq = 0;
  for (let i = 0; i < truth.length; i++) residualSq += ((predictions[i] as number) - intercept - slope * (truth[i] as number)) ** 2;
  const [predictionMin, predictionMax] = minMax(predictions);
  const diagnostics: CalibrationDiagnostics = {
    method: 'lcc',
    calibrationSize: truth.length,
    predictionMin,
    predictionMax,
    residualStd: Math.sqrt(residualSq / truth.length),
    warnings: [],
    messages: [],
    details: { intercept, slope },
  };
  if (slope < unstableSlopeBelow) {
    addWarning(diagnostics, 'unstable_slope', `slope b = ${slope} < ${unstableSlopeBelow}: dividing by it amplifies prediction noise ${(1 / slope).toFixed(1)}-fold`);
  }
  if (truth.length < minCalibrationSize) {
    addWarning(diagnostics, 'small_calibration_sample', `only ${truth.length} calibration points (< ${minCalibrationSize}): a and b are noisy`);
  }
  return {
    method: 'lcc',
    intercept,
    slope,
    diagnostics,
    correct(values: ArrayLike<number>): Correction {
      const input = finiteArray('predictions', values);
      const corrected = applyLinearCalibration(input, intercept, slope);
      const callDiagnostics = copyDiagnostics(diagnostics);
      checkSupport(callDiagnostics, input);
      return { values: corrected, mean: mean(corrected), diagnostics: callDiagnostics };
    },
  };
}

/**
 * Warning flags a debiaser can raise. They never change the numbers; they say when to distrust them.
 * - `unstable_slope`: LCC slope below `unstableSlopeBelow` (0.2): dividing by it amplifies noise [C unshrink spec].
 * - `outside_calibration_support`: predictions being corrected fall outside the calibration [min, max] (confirmed in the unshrink code).
 * - `small_calibration_sample`: fewer than `minCalibrationSize` (100) calibration points [C for Tweedie; ours for LCC].
 * - `zero_sigma_identity`: Tweedie's σ̂ is 0, so the correction is the identity (confirmed in the unshrink code).
 * - `constant_predictions`: PPI++ found no variance in the predictions and set λ = 0 (classical estimate).
 */
export type CalibrationWarning =
  | 'unstable_slope'
  | 'outside_calibration_support'
  | 'small_calibration_sample'
  | 'zero_sigma_identity'
  | 'constant_predictions';

/** What a fitted debiaser (or one correction) reports besides its numbers. */
export interface CalibrationDiagnostics {
  method: string;
  /** Calibration points used for the fit. */
  calibrationSize: number;
  /** Calibration prediction support [min, max]. */
  predictionMin: number;
  predictionMax: number;
  /** Residual standard deviation of the fit (LCC: of ŷ − (a + b y); Tweedie: σ̂ of ŷ − y). */
  residualStd: number;
  warnings: CalibrationWarning[];
  /** One human-readable line per warning, in the same order. */
  messages: string[];
  /** Method-specific numbers (slope, sigma, delta, bandwidth, counts ...). */
  details: Record<string, number | string>;
}

/** The result of correcting a set of predictions. */
export interface Correction {
  /** Corrected predictions ỹ, one per input prediction. */
  values: Float64Array;
  /** mean(ỹ): the debiased mean. */
  mean: number;
  /** Fit diagnostics plus what this call found (e.g. out-of-support predictions). */
  diagnostics: CalibrationDiagnostics;
}

/** A fitted per-unit correction ŷ -> ỹ (LCC, Tweedie). */
export interface Debiaser {
  readonly method: string;
  /** Diagnostics of the fit. */
  readonly diagnostics: CalibrationDiagnostics;
  /** Corrects `predictions` (all finite, at least one). */
  correct(predictions: ArrayLike<number>): Correction;
}

export function addWarning(diagnostics: CalibrationDiagnostics, warning: CalibrationWarning, message: string): void {
  if (diagnostics.warnings.includes(warning)) return;
  diagnostics.warnings.push(warning);
  diagnostics.messages.push(message);
}

export function copyDiagnostics(diagnostics: CalibrationDiagnostics): CalibrationDiagnostics {
  return { ...diagnostics, warnings: [...diagnostics.warnings], messages: [...diagnostics.messages], details: { ...diagnostics.details } };
}

/** Adds `outside_calibration_support` to `diagnostics` when some prediction lies outside [min, max]. */
export function checkSupport(diagnostics: CalibrationDiagnostics, predictions: Float64Array): void {
  let outside = 0;
  for (const p of predictions) if (p < diagnostics.predictionMin || p > diagnostics.predictionMax) outside++;
  diagnostics.details.outsideSupportCount = outside;
  if (outside > 0) {
    addWarning(
      diagnostics,
      'outside_calibration_support',
      `${outside} of ${predictions.length} predictions lie outside the calibration support [${diagnostics.predictionMin}, ${diagnostics.predictionMax}]; the correction extrapolates there`,
    );
  }
}

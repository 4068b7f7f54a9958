import { type Rng, UnbiasedError } from '@unbiased/core';
import type { Debiaser } from './diagnostics.js';
import { fitLinearCalibration } from './lcc.js';
import { quantileSorted, std } from './stats.js';
import { fitTweedie } from './tweedie.js';
import { checkInteger, checkSameLength, describeValue, finiteArray } from './validate.js';

/** Fits a debiaser on a calibration fold. */
export type DebiaserFactory = (calPredictions: Float64Array, calTruth: Float64Array) => Debiaser;

export interface CompareDebiasersInput {
  calPredictions: ArrayLike<number>;
  calTruth: ArrayLike<number>;
  /** Shuffles the folds and draws the pseudo-treatment quantiles. */
  rng: Rng;
  /** K (default 5). */
  folds?: number;
  /** Pseudo-ATE draws per fold (default 40, as in the released simulation code; newer unshrink uses 100). */
  draws?: number;
  /** Candidates by name; default `{ lcc: fitLinearCalibration, tweedie: fitTweedie }`. */
  debiasers?: Record<string, DebiaserFactory>;
}

export interface DebiaserComparisonMetrics {
  method: string;
  /** Mean of (estimated − true) fold means. */
  meanBias: number;
  /** Mean |estimated − true| fold mean. */
  meanAbsoluteError: number;
  /** Root mean square fold-mean error. */
  rmse: number;
  /** Slope of pseudo-ATE estimates on true pseudo-ATEs (NaN if the truths do not vary). */
  calibrationSlope: number;
  pseudoAteBias: number;
  pseudoAteRmse: number;
  /** Union of the warnings raised on any fold. */
  warnings: string[];
  /** |slope − 1| (10 if NaN) + pseudo-ATE RMSE/sd + 0.5 MAE/sd + 0.05 · #warnings; lower is better (null for naive). */
  score: number | null;
}

export interface DebiaserComparison {
  /** `naive` first, then each candidate. */
  metrics: DebiaserComparisonMetrics[];
  /** The candidate with the lowest score. */
  recommended: string;
  rationale: string;
  /** sd(calTruth) (ddof 0, floored at √ε): the scale of the score's error terms. */
  targetScale: number;
}

function slopeOf(truth: number[], estimate: number[]): number {
  const n = truth.length;
  const mt = truth.reduce((a, b) => a + b, 0) / n;
  const me = estimate.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((truth[i] as number) - mt) ** 2;
    sxy += ((truth[i] as number) - mt) * ((estimate[i] as number) - me);
  }
  return sxx <= Number.EPSILON ? Number.NaN : sxy / sxx;
}

/**
 * `compare_debiasers` (unshrink `utils.py`): K-fold cross-fitting on the calibration split. On each held-out
 * fold every candidate (fitted on the other folds) corrects the fold's predictions; pseudo-ATEs contrast units
 * with prediction <= the u₁ quantile (controls) and >= the u₂ quantile (treated), u₁ ~ U(.05, .35),
 * u₂ ~ U(.65, .95), `draws` times per fold; the true pseudo-ATE uses the fold's truth. Score =
 * |slope − 1| + pseudo-ATE RMSE/sd + 0.5 · fold-mean MAE/sd + 0.05 · #warnings; the lowest score is recommended.
 */
export function compareDebiasers(input: CompareDebiasersInput): DebiaserComparison {
  if (input === null || typeof input !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `input must be an object; got ${describeValue(input)}`, { field: 'input' });
  }
  const predictions = finiteArray('calPredictions', input.calPredictions, 2);
  const truth = finiteArray('calTruth', input.calTruth, 2);
  checkSameLength('calPredictions', predictions, 'calTruth', truth);
  const folds = checkInteger('folds', input.folds, 5, 2);
  const draws = checkInteger('draws', input.draws, 40, 1);
  if (predictions.length <= folds) {
    throw new UnbiasedError('BAD_INPUT', `calPredictions has ${predictions.length} points; ${folds}-fold comparison needs more than ${folds}`, {
      field: 'calPredictions',
    });
  }
  const factories = input.debiasers ?? { lcc: (p: Float64Array, t: Float64Array) => fitLinearCalibration(p, t), tweedie: (p: Float64Array, t: Float64Array) => fitTweedie(p, t) };
  const names = Object.keys(factories);
  if (names.length === 0) throw new UnbiasedError('BAD_INPUT', 'debiasers must name at least one candidate', { field: 'debiasers' });
  if (names.includes('naive')) throw new UnbiasedError('BAD_INPUT', "debiasers must not use the reserved name 'naive'", { field: 'debiasers' });

  const n = predictions.length;
  const order = input.rng.fold('compare-debiasers/folds').permutation(n);
  const contrastRng = input.rng.fold('compare-debiasers/contrasts');
  const all = ['naive', ...names];
  const meanEst = new Map(all.map((m) => [m, [] as number[]]));
  const contrastEst = new Map(all.map((m) => [m, [] as number[]]));
  const warnings = new Map(all.map((m) => [m, new Set<string>()]));
  const meanTruth: number[] = [];
  const contrastTruth: number[] = [];
  let start = 0;
  for (let fold = 0; fold < folds; fold++) {
    const size = Math.floor(n / folds) + (fold < n % folds ? 1 : 0);
    const testIndex = order.subarray(start, start + size);
    start += size;
    const inTest = new Uint8Array(n);
    for (const i of testIndex) inTest[i] = 1;
    const trainP: number[] = [];
    const trainT: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!inTest[i]) {
        trainP.push(predictions[i] as number);
        trainT.push(truth[i] as number);
      }
    }
    const testP = Float64Array.from(testIndex, (i) => predictions[i] as number);
    const testT = Float64Array.from(testIndex, (i) => truth[i] as number);
    const corrected = new Map<string, Float64Array>([['naive', testP]]);
    for (const name of names) {
      const debiaser = (factories[name] as DebiaserFactory)(Float64Array.from(trainP), Float64Array.from(trainT));
      for (const w of debiaser.diagnostics.warnings) warnings.get(name)!.add(w);
      corrected.set(name, debiaser.correct(testP).values);
    }
    const avg = (v: ArrayLike<number>, mask?: Uint8Array) => {
      let s = 0;
      let c = 0;
      for (let i = 0; i < v.length; i++) {
        if (mask && !mask[i]) continue;
        s += v[i] as number;
        c++;
      }
      return s / c;
    };
    meanTruth.push(avg(testT));
    for (const m of all) meanEst.get(m)!.push(avg(corrected.get(m)!));
    const sorted = Float64Array.from(testP).sort();
    const u = contrastRng.uniform(2 * draws);
    for (let d = 0; d < draws; d++) {
      const lowCut = quantileSorted(sorted, 0.05 + 0.3 * (u[2 * d] as number));
      const highCut = quantileSorted(sorted, 0.65 + 0.3 * (u[2 * d + 1] as number));
      const control = Uint8Array.from(testP, (p) => (p <= lowCut ? 1 : 0));
      const treated = Uint8Array.from(testP, (p) => (p >= highCut ? 1 : 0));
      if (!control.includes(1) || !treated.includes(1)) continue;
      contrastTruth.push(avg(testT, treated) - avg(testT, control));
      for (const m of all) {
        const v = corrected.get(m)!;
        contrastEst.get(m)!.push(avg(v, treated) - avg(v, control));
      }
    }
  }
  if (contrastTruth.length === 0) {
    throw new UnbiasedError('BAD_INPUT', 'calPredictions produced no pseudo-ATE contrast (every draw had an empty arm)', { field: 'calPredictions' });
  }
  const targetScale = Math.max(std(truth), Math.sqrt(Number.EPSILON));
  const metrics: DebiaserComparisonMetrics[] = all.map((method) => {
    const meanErrors = meanEst.get(method)!.map((e, i) => e - (meanTruth[i] as number));
    const contrastErrors = contrastEst.get(method)!.map((e, i) => e - (contrastTruth[i] as number));
    const avg = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const row: DebiaserComparisonMetrics = {
      method,
      meanBias: avg(meanErrors),
      meanAbsoluteError: avg(meanErrors.map(Math.abs)),
      rmse: Math.sqrt(avg(meanErrors.map((e) => e * e))),
      calibrationSlope: slopeOf(contrastTruth, contrastEst.get(method)!),
      pseudoAteBias: avg(contrastErrors),
      pseudoAteRmse: Math.sqrt(avg(contrastErrors.map((e) => e * e))),
      warnings: [...warnings.get(method)!].sort(),
      score: null,
    };
    if (method !== 'naive') {
      const slopePenalty = Number.isFinite(row.calibrationSlope) ? Math.abs(row.calibrationSlope - 1) : 10;
      row.score = slopePenalty + row.pseudoAteRmse / targetScale + (0.5 * row.meanAbsoluteError) / targetScale + 0.05 * row.warnings.length;
    }
    return row;
  });
  const candidates = metrics.filter((m) => m.score !== null).sort((a, b) => (a.score as number) - (b.score as number));
  const best = candidates[0]!;
  const runnerUp = candidates[1];
  const rationale =
    `Recommended ${best.method}: score ${best.score!.toFixed(4)} (pseudo-ATE RMSE ${best.pseudoAteRmse.toFixed(4)}, slope ${best.calibrationSlope.toFixed(3)})` +
    (runnerUp ? ` vs ${runnerUp.method} ${runnerUp.score!.toFixed(4)} (RMSE ${runnerUp.pseudoAteRmse.toFixed(4)}, slope ${runnerUp.calibrationSlope.toFixed(3)})` : '');
  return { metrics, recommended: best.method, rationale, targetScale };
}

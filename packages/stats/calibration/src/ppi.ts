import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import type { CalibrationWarning } from './diagnostics.js';
import { normalQuantile } from './normal-quantile.js';
import { mean, std } from './stats.js';
import { checkSameLength, describeValue, finiteArray, weightArray } from './validate.js';

export interface PpiOptions {
  /** λ: a number in [0, 1] (1 = PPI, 0 = classical) or `'tuned'` (PPI++, default, as `ppi_py`). */
  lambda?: number | 'tuned';
  /** Error level: the interval targets 1 − alpha coverage (default 0.1, as `ppi_py`). */
  alpha?: number;
  /** Weights of the labeled units (e.g. IPTW); normalised to mean 1. Default all 1. */
  weights?: ArrayLike<number>;
  /** Weights of the unlabeled units; normalised to mean 1. Default all 1. */
  unlabeledWeights?: ArrayLike<number>;
}

export interface PpiEstimate {
  /** θ̂_λ. */
  estimate: number;
  /** The λ used (tuned, clipped to [0, 1], or as given). */
  lambda: number;
  /** √(Var(w̃ λ f̃)/N + Var(w (Y − λ f))/n), variances with ddof 0 (as `ppi_py`). */
  standardError: number;
  /** θ̂ ± z_{1−α/2} · standardError. */
  ci: [number, number];
  alpha: number;
  /** Labeled and unlabeled sizes. */
  n: number;
  N: number;
  warnings: CalibrationWarning[];
}

function normalisedWeights(field: string, weights: ArrayLike<number> | undefined, length: number): Float64Array {
  if (weights === undefined) return new Float64Array(length).fill(1);
  const w = weightArray(field, weights, length);
  let total = 0;
  for (const v of w) total += v;
  for (let i = 0; i < length; i++) w[i] = ((w[i] as number) * length) / total;
  return w;
}

/**
 * PPI++'s power-tuned λ for a mean (`ppi_py` `_calc_lam_glm` with identity Hessian):
 * λ̂ = Cov_n(g, ĝ) / ((1 + n/N) · Var_{n∪N}(ĝ)), clipped to [0, 1], where g = w(Y − θ₁), ĝ = w(f − θ₁) on the
 * labeled set, ĝ = w̃(f̃ − θ₁) on the unlabeled set and θ₁ is the λ = 1 estimate. Cov_n has ddof 0 and the pooled
 * variance ddof 1, as `ppi_py`. Without weights this is Cov_n(Y, f)/((1 + n/N) Var_{n∪N}(f)). When the pooled
 * variance is 0 (constant predictions) λ̂ = 0 (the classical estimate) and `constant_predictions` is flagged.
 */
function tunedLambda(y: Float64Array, f: Float64Array, fu: Float64Array, w: Float64Array, wu: Float64Array): { lambda: number; constant: boolean } {
  const n = y.length;
  const N = fu.length;
  let theta1 = 0;
  for (let i = 0; i < N; i++) theta1 += (wu[i] as number) * (fu[i] as number);
  theta1 /= N;
  let rect = 0;
  for (let i = 0; i < n; i++) rect += (w[i] as number) * ((y[i] as number) - (f[i] as number));
  theta1 += rect / n;
  const g = new Float64Array(n);
  const gHat = new Float64Array(n + N);
  for (let i = 0; i < n; i++) {
    g[i] = (w[i] as number) * ((y[i] as number) - theta1);
    gHat[i] = (w[i] as number) * ((f[i] as number) - theta1);
  }
  for (let i = 0; i < N; i++) gHat[n + i] = (wu[i] as number) * ((fu[i] as number) - theta1);
  const mg = mean(g);
  let mgHatLabeled = 0;
  for (let i = 0; i < n; i++) mgHatLabeled += gHat[i] as number;
  mgHatLabeled /= n;
  let cov = 0;
  for (let i = 0; i < n; i++) cov += ((g[i] as number) - mg) * ((gHat[i] as number) - mgHatLabeled);
  cov /= n;
  const mAll = mean(gHat);
  let ss = 0;
  let scale = 0;
  for (let i = 0; i < n + N; i++) {
    ss += ((gHat[i] as number) - mAll) ** 2;
    scale += (gHat[i] as number) ** 2;
  }
  const pooledVariance = ss / (n + N - 1);
  // Rounding leaves ~1e-32 relative variance in a constant vector; below 1e-24 relative we call it constant.
  if (!(pooledVariance > 1e-24 * (scale / (n + N)))) return { lambda: 0, constant: true };
  const lambda = cov / ((1 + n / N) * pooledVariance);
  return { lambda: Math.min(1, Math.max(0, lambda)), constant: false };
}

/**
 * Prediction-powered inference for a mean (Angelopoulos, Bates, Fannjiang, Jordan, Zrnic, "Prediction-powered
 * inference", Science 2023; PPI++: Angelopoulos, Duchi, Zrnic, arXiv 2311.01453; `ppi_py/ppi.py`):
 * θ̂_λ = mean_N(w̃ λ f(X̃)) + mean_n(w (Y − λ f(X))), with λ = 1 (PPI), 0 (classical) or tuned (PPI++), and
 * the CLT interval θ̂ ± z_{1−α/2} √(Var(w̃ λ f̃)/N + Var(w(Y − λf))/n). Weights are normalised to mean 1 per set,
 * so with IPTW weights each term is a Hájek (self-normalised) mean, as the notebook's per-arm variant.
 * Needs fresh labels downstream: `truth` and `predictions` are the labeled units, `unlabeledPredictions` the rest.
 */
export function ppiMean(
  truth: ArrayLike<number>,
  predictions: ArrayLike<number>,
  unlabeledPredictions: ArrayLike<number>,
  options: PpiOptions = {},
): PpiEstimate {
  const y = finiteArray('truth', truth, 2);
  const f = finiteArray('predictions', predictions, 2);
  checkSameLength('truth', y, 'predictions', f);
  const fu = finiteArray('unlabeledPredictions', unlabeledPredictions, 1);
  if (options === null || typeof options !== 'object') {
    throw new UnbiasedError('INVALID_ARGUMENT', `options must be an object; got ${describeValue(options)}`, { field: 'options' });
  }
  const alpha = options.alpha === undefined ? 0.1 : checkHyperparameter('alpha', options.alpha, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const w = normalisedWeights('weights', options.weights, y.length);
  const wu = normalisedWeights('unlabeledWeights', options.unlabeledWeights, fu.length);
  const warnings: CalibrationWarning[] = [];
  let lambda: number;
  if (options.lambda === undefined || options.lambda === 'tuned') {
    const tuned = tunedLambda(y, f, fu, w, wu);
    lambda = tuned.lambda;
    if (tuned.constant) warnings.push('constant_predictions');
  } else if (typeof options.lambda === 'number') {
    lambda = checkHyperparameter('lambda', options.lambda, { min: 0, max: 1 });
  } else {
    throw new UnbiasedError('INVALID_ARGUMENT', `lambda must be a number in [0, 1] or 'tuned'; got ${describeValue(options.lambda)}`, { field: 'lambda' });
  }
  const n = y.length;
  const N = fu.length;
  const imputed = new Float64Array(N);
  for (let i = 0; i < N; i++) imputed[i] = (wu[i] as number) * lambda * (fu[i] as number);
  const rectifier = new Float64Array(n);
  for (let i = 0; i < n; i++) rectifier[i] = (w[i] as number) * ((y[i] as number) - lambda * (f[i] as number));
  const estimate = mean(imputed) + mean(rectifier);
  const standardError = Math.sqrt(std(imputed) ** 2 / N + std(rectifier) ** 2 / n);
  const z = normalQuantile(1 - alpha / 2);
  return { estimate, lambda, standardError, ci: [estimate - z * standardError, estimate + z * standardError], alpha, n, N, warnings };
}

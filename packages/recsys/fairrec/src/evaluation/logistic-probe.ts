/**
 * A fresh attribute probe: multinomial L2-regularised logistic regression on standardised features,
 * fitted by Newton's method in float64, scored by k-fold cross-validation. Used on the top-K
 * recommendations and on the bias-free embedding (our synthetic FairRec toy: "5-fold CV standardised L2-logistic
 * probes"; a single split is too noisy to judge differences of 0.02).
 */
import { type Rng, solveSpd } from '@unbiased/core';
import { badInput, checkIndexArray, checkInteger, checkNumber } from '../validate.js';
import { classificationScores } from './macro-f1.js';

/** A fitted probe: class `c > 0` has weights `weights[(c-1)*(d+1) ..]` (bias last); class 0 is the reference. */
export interface LogisticModel {
  classes: number;
  dim: number;
  weights: Float64Array;
  mean: Float64Array;
  scale: Float64Array;
}

export interface LogisticOptions {
  /** L2 penalty `(l2 / 2) ||W||^2` on the weights (not the biases), added to the mean log loss. Default 1e-3 (inferred; our synthetic FairRec toy). */
  l2?: number;
  /** Newton iterations at most. Default 50. */
  maxIterations?: number;
  /** Stop when the largest Newton step entry is below this. Default 1e-8. */
  tolerance?: number;
}

function standardise(x: Float64Array, rows: number[], dim: number): { mean: Float64Array; scale: Float64Array } {
  const mean = new Float64Array(dim);
  const scale = new Float64Array(dim);
  for (const r of rows) for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) + (x[r * dim + j] as number);
  for (let j = 0; j < dim; j++) mean[j] = (mean[j] as number) / rows.length;
  for (const r of rows) for (let j = 0; j < dim; j++) scale[j] = (scale[j] as number) + ((x[r * dim + j] as number) - (mean[j] as number)) ** 2;
  for (let j = 0; j < dim; j++) {
    const sd = Math.sqrt((scale[j] as number) / rows.length);
    scale[j] = sd > 1e-12 ? 1 / sd : 0;
  }
  return { mean, scale };
}

function probabilities(model: LogisticModel, row: Float64Array, out: Float64Array): void {
  const { classes, dim, weights } = model;
  let max = 0;
  out[0] = 0;
  for (let c = 1; c < classes; c++) {
    let s = weights[(c - 1) * (dim + 1) + dim] as number;
    for (let j = 0; j < dim; j++) s += (weights[(c - 1) * (dim + 1) + j] as number) * (row[j] as number);
    out[c] = s;
    if (s > max) max = s;
  }
  let total = 0;
  for (let c = 0; c < classes; c++) {
    const e = Math.exp((out[c] as number) - max);
    out[c] = e;
    total += e;
  }
  for (let c = 0; c < classes; c++) out[c] = (out[c] as number) / total;
}

function standardisedRow(model: LogisticModel, x: ArrayLike<number>, r: number, row: Float64Array): Float64Array {
  for (let j = 0; j < model.dim; j++) row[j] = ((x[r * model.dim + j] as number) - (model.mean[j] as number)) * (model.scale[j] as number);
  return row;
}

function objective(model: LogisticModel, x: Float64Array, y: ArrayLike<number>, rows: number[], l2: number): number {
  const row = new Float64Array(model.dim);
  const p = new Float64Array(model.classes);
  let loss = 0;
  for (const r of rows) {
    probabilities(model, standardisedRow(model, x, r, row), p);
    loss -= Math.log(Math.max(p[y[r] as number] as number, 1e-300));
  }
  let penalty = 0;
  for (let c = 1; c < model.classes; c++) for (let j = 0; j < model.dim; j++) penalty += (model.weights[(c - 1) * (model.dim + 1) + j] as number) ** 2;
  return loss / rows.length + (l2 / 2) * penalty;
}

/**
 * Fits `p(z = c | x) = softmax_c(w_c . x_std + b_c)` (`w_0 = 0`) on the rows `rows` of `x` (`n * dim`,
 * row-major) by Newton's method with step halving; features are standardised on those rows.
 */
export function fitLogistic(
  x: ArrayLike<number>,
  labels: ArrayLike<number>,
  { dim, classes, rows }: { dim: number; classes: number; rows?: number[] },
  { l2 = 1e-3, maxIterations = 50, tolerance = 1e-8 }: LogisticOptions = {},
): LogisticModel {
  checkInteger('dim', dim, { min: 1 });
  checkInteger('classes', classes, { min: 2 });
  checkNumber('l2', l2, { min: 0, minExclusive: true });
  const n = labels.length;
  if (x.length !== n * dim) badInput('features', `features must have labels.length * dim = ${n * dim} entries; got ${x.length}`);
  checkIndexArray('labels', labels, 0, classes - 1);
  const use = rows ?? Array.from({ length: n }, (_, i) => i);
  if (use.length === 0) badInput('rows', 'cannot fit a probe on no rows');
  const xs = Float64Array.from(x);
  const { mean, scale } = standardise(xs, use, dim);
  const width = dim + 1;
  const size = (classes - 1) * width;
  const model: LogisticModel = { classes, dim, weights: new Float64Array(size), mean, scale };
  const row = new Float64Array(dim);
  const p = new Float64Array(classes);
  let current = objective(model, xs, labels, use, l2);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(size);
    const hessian = new Float64Array(size * size);
    for (const r of use) {
      probabilities(model, standardisedRow(model, xs, r, row), p);
      const z = labels[r] as number;
      for (let a = 1; a < classes; a++) {
        const residual = (p[a] as number) - (a === z ? 1 : 0);
        for (let i = 0; i < width; i++) {
          const xi = i < dim ? (row[i] as number) : 1;
          gradient[(a - 1) * width + i] = (gradient[(a - 1) * width + i] as number) + residual * xi;
        }
        for (let b = 1; b < classes; b++) {
          const h = (p[a] as number) * ((a === b ? 1 : 0) - (p[b] as number));
          if (h === 0) continue;
          for (let i = 0; i < width; i++) {
            const xi = i < dim ? (row[i] as number) : 1;
            const base = ((a - 1) * width + i) * size + (b - 1) * width;
            for (let j = 0; j < width; j++) hessian[base + j] = (hessian[base + j] as number) + h * xi * (j < dim ? (row[j] as number) : 1);
          }
        }
      }
    }
    const m = use.length;
    for (let k = 0; k < size; k++) {
      gradient[k] = (gradient[k] as number) / m;
      for (let l = 0; l < size; l++) hessian[k * size + l] = (hessian[k * size + l] as number) / m;
      const isBias = k % width === dim;
      // The penalty's curvature; biases get a tiny ridge so the system stays positive definite on separable data.
      hessian[k * size + k] = (hessian[k * size + k] as number) + (isBias ? 1e-10 : l2);
      if (!isBias) gradient[k] = (gradient[k] as number) + l2 * (model.weights[k] as number);
    }
    const step = solveSpd(hessian, gradient, size);
    let factor = 1;
    const previous = Float64Array.from(model.weights);
    let accepted = false;
    for (let halving = 0; halving < 30; halving++) {
      for (let k = 0; k < size; k++) model.weights[k] = (previous[k] as number) - factor * (step[k] as number);
      const next = objective(model, xs, labels, use, l2);
      if (next <= current + 1e-12) {
        current = next;
        accepted = true;
        break;
      }
      factor /= 2;
    }
    if (!accepted) {
      model.weights.set(previous);
      break;
    }
    let largest = 0;
    for (let k = 0; k < size; k++) largest = Math.max(largest, Math.abs(factor * (step[k] as number)));
    if (largest < tolerance) break;
  }
  return model;
}

/** Most probable class of each listed row of `x` (ties to the lower class). */
export function predictLogistic(model: LogisticModel, x: ArrayLike<number>, rows: number[]): Int32Array {
  const row = new Float64Array(model.dim);
  const p = new Float64Array(model.classes);
  const out = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    probabilities(model, standardisedRow(model, x, r, row), p);
    let best = 0;
    for (let c = 1; c < model.classes; c++) if ((p[c] as number) > (p[best] as number)) best = c;
    out[i] = best;
  });
  return out;
}

export interface ProbeScores {
  /** Mean over folds of the held-out accuracy. */
  accuracy: number;
  /** Mean over folds of the held-out macro-F1. */
  macroF1: number;
  /** Accuracy of always predicting the most frequent class (the "fair" floor). */
  majorityRate: number;
  folds: number;
}

/**
 * k-fold cross-validated probe accuracy and macro-F1: rows are shuffled with `rng`, each fold is held out
 * once, a fresh probe is fitted on the rest, and the held-out scores are averaged over folds.
 */
export function crossValidatedProbe(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  { dim, classes, folds = 5, rng, ...options }: { dim: number; classes: number; folds?: number; rng: Rng } & LogisticOptions,
): ProbeScores {
  const n = labels.length;
  checkInteger('folds', folds, { min: 2, max: Math.max(2, n) });
  const order = rng.permutation(n);
  let accuracySum = 0;
  let f1Sum = 0;
  for (let f = 0; f < folds; f++) {
    const lo = Math.floor((f * n) / folds);
    const hi = Math.floor(((f + 1) * n) / folds);
    const test: number[] = [];
    const train: number[] = [];
    order.forEach((row, i) => {
      (i >= lo && i < hi ? test : train).push(row);
    });
    const model = fitLogistic(features, labels, { dim, classes, rows: train }, options);
    const predicted = predictLogistic(model, features, test);
    const scores = classificationScores(predicted, Int32Array.from(test, (r) => labels[r] as number), classes);
    accuracySum += scores.accuracy;
    f1Sum += scores.macroF1;
  }
  const counts = new Float64Array(classes);
  for (let i = 0; i < n; i++) counts[labels[i] as number] = (counts[labels[i] as number] as number) + 1;
  return { accuracy: accuracySum / folds, macroF1: f1Sum / folds, majorityRate: Math.max(...counts) / n, folds };
}

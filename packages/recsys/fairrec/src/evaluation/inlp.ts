/**
 * Iterative nullspace projection (INLP; Ravfogel, Elazar, Gonen, Twiton & Goldberg 2020, "Null It Out",
 * ACL): fit a linear attribute classifier on the embeddings, project the embeddings onto the nullspace of
 * its weight directions, and repeat. A post-hoc debiasing baseline that needs no retraining; our synthetic FairRec toy
 * uses INLP with 1, 2 and 4 directions as the reference trade-off for FairRec on its toy (inferred).
 */
import { badInput, checkInteger } from '../validate.js';
import { fitLogistic, type LogisticOptions } from './logistic-probe.js';

export interface InlpResult {
  /** `dim * dim` row-major projector `P = I - Q Q^T` (symmetric, idempotent): apply as `x P`. */
  projector: Float64Array;
  /** The orthonormal directions removed (`removed * dim`, row-major), in the order they were found. */
  directions: Float64Array;
  /** Number of directions removed (`iterations * (classes - 1)`, fewer if a classifier found nothing new). */
  removed: number;
}

/** `x` (`n * dim`) times the symmetric `dim * dim` matrix `p`. */
export function projectRows(x: ArrayLike<number>, p: Float64Array, dim: number): Float64Array {
  const n = x.length / dim;
  const out = new Float64Array(x.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) s += (x[i * dim + k] as number) * (p[k * dim + j] as number);
      out[i * dim + j] = s;
    }
  }
  return out;
}

/**
 * INLP on `embeddings` (`n * dim`) with attribute `labels`: `iterations` rounds, each fitting a fresh
 * L2-logistic classifier (standardised features, as the probes) on the currently projected embeddings and
 * removing its `classes - 1` weight directions (mapped back to the raw feature space, Gram-Schmidt
 * orthonormalised against those already removed).
 */
export function inlpProjection(
  embeddings: ArrayLike<number>,
  labels: ArrayLike<number>,
  { dim, classes, iterations, ...options }: { dim: number; classes: number; iterations: number } & LogisticOptions,
): InlpResult {
  checkInteger('dim', dim, { min: 1 });
  checkInteger('iterations', iterations, { min: 1, max: dim });
  if (embeddings.length !== labels.length * dim) badInput('embeddings', `embeddings must have labels.length * dim = ${labels.length * dim} entries; got ${embeddings.length}`);
  const basis: Float64Array[] = [];
  const projector = () => {
    const p = new Float64Array(dim * dim);
    for (let j = 0; j < dim; j++) p[j * dim + j] = 1;
    for (const q of basis) for (let a = 0; a < dim; a++) for (let b = 0; b < dim; b++) p[a * dim + b] = (p[a * dim + b] as number) - (q[a] as number) * (q[b] as number);
    return p;
  };
  let current: Float64Array = Float64Array.from(embeddings);
  for (let it = 0; it < iterations && basis.length < dim; it++) {
    const model = fitLogistic(current, labels, { dim, classes }, options);
    for (let c = 0; c < classes - 1; c++) {
      // Logit of class c: sum_j w_j (x_j - mean_j) scale_j + b, so the raw-space direction is w_j scale_j.
      const v = new Float64Array(dim);
      for (let j = 0; j < dim; j++) v[j] = (model.weights[c * (dim + 1) + j] as number) * (model.scale[j] as number);
      for (const q of basis) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += (v[j] as number) * (q[j] as number);
        for (let j = 0; j < dim; j++) v[j] = (v[j] as number) - dot * (q[j] as number);
      }
      const norm = Math.hypot(...v);
      if (norm < 1e-10) continue;
      for (let j = 0; j < dim; j++) v[j] = (v[j] as number) / norm;
      basis.push(v);
    }
    current = projectRows(embeddings, projector(), dim);
  }
  const directions = new Float64Array(basis.length * dim);
  for (const [i, q] of basis.entries()) directions.set(q, i * dim);
  return { projector: projector(), directions, removed: basis.length };
}

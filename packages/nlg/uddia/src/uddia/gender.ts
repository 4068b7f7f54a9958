/**
 * The token-level gender signal of UDDIA (Yang et al. 2023, ICLR, §3.3 and the released code's gender
 * classifier): a gender direction `v` in embedding space from (male, female) word pairs, the token-level
 * attribute distribution `p(a|x)`, its context-aware version `p(a|x,c)`, the group token distributions
 * `q_a`, and the debias loss `L_b`. Float64, on the host: these are constants of a model, computed once.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';

/** The gender signal of a model: direction, `p(female|x)` per token, group distributions `q_0` (male), `q_1` (female). */
export interface GenderSignal {
  /** Unit gender direction (female positive), length `hidden`. */
  direction: Float64Array;
  /** `p(a = female | x)` per token. */
  pFemale: Float64Array;
  /** `q_0(x)` (male group) and `q_1(x)` (female group), each summing to 1. */
  groups: [Float64Array, Float64Array];
  /** Token embeddings, row-major `[vocab, hidden]`, for the context-aware `p(a|x,c)`. */
  embeddings: Float64Array;
  hidden: number;
  /** Softmax temperature of `p(a|x)` (0.1 in the released code). */
  temperature: number;
}

/**
 * The gender direction: the first principal component of the pair differences, each pair centred (with two
 * classes, supervised PCA reduces to this; inferred). `v` is the top eigenvector of `sum_i d_i d_i^T`,
 * `d_i = e_female_i - e_male_i` (power iteration, float64), signed so that `sum_i d_i . v > 0`.
 */
export function genderDirection(embeddings: Float64Array, hidden: number, pairs: readonly (readonly [number, number])[]): Float64Array {
  if (pairs.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'genderDirection needs at least one (male, female) pair', { field: 'pairs' });
  const diffs = pairs.map(([m, f]) => Float64Array.from({ length: hidden }, (_, j) => (embeddings[f * hidden + j] as number) - (embeddings[m * hidden + j] as number)));
  let v = new Float64Array(hidden);
  for (const d of diffs) for (let j = 0; j < hidden; j++) v[j] = (v[j] as number) + (d[j] as number);
  normalise(v);
  for (let it = 0; it < 500; it++) {
    const next = new Float64Array(hidden);
    for (const d of diffs) {
      let dot = 0;
      for (let j = 0; j < hidden; j++) dot += (d[j] as number) * (v[j] as number);
      for (let j = 0; j < hidden; j++) next[j] = (next[j] as number) + dot * (d[j] as number);
    }
    normalise(next);
    v = next;
  }
  let sign = 0;
  for (const d of diffs) for (let j = 0; j < hidden; j++) sign += (d[j] as number) * (v[j] as number);
  if (sign < 0) for (let j = 0; j < hidden; j++) v[j] = -(v[j] as number);
  return v;
}

function normalise(v: Float64Array): void {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / n;
}

function cosine(x: ArrayLike<number>, v: Float64Array): number {
  let dot = 0;
  let nx = 0;
  for (let j = 0; j < v.length; j++) {
    dot += (x[j] as number) * (v[j] as number);
    nx += (x[j] as number) ** 2;
  }
  return nx === 0 ? 0 : dot / Math.sqrt(nx);
}

/**
 * `p(female | e)` of an embedding `e`: `q = (1 + cos(e, v)) / 2`, `p(a|e) = softmax([1 - q, q] / temperature)`,
 * i.e. `sigmoid(cos(e, v) / temperature)`.
 */
export function femaleProbability(e: ArrayLike<number>, direction: Float64Array, temperature = 0.1): number {
  const q = (1 + cosine(e, direction)) / 2;
  return 1 / (1 + Math.exp(-((2 * q - 1) / temperature)));
}

/**
 * The gender signal of a model from its embeddings: direction, `p(female|x)` for every token, and the group
 * token distributions `q_a(x) ∝ freq(x) p(a|x) 1[p(a|x) > groupThreshold]` (0.75 in the released code;
 * `freq` is the unigram frequency of the training corpus, standing in for OpenWebText's).
 */
export async function genderSignal(
  tokenEmbeddings: tf.Tensor2D,
  pairs: readonly (readonly [number, number])[],
  frequency: ArrayLike<number>,
  { temperature = 0.1, groupThreshold = 0.75 }: { temperature?: number; groupThreshold?: number } = {},
): Promise<GenderSignal> {
  const [vocab, hidden] = tokenEmbeddings.shape;
  if (frequency.length !== vocab) throw new UnbiasedError('SHAPE_MISMATCH', `frequency has ${frequency.length} entries, the vocabulary ${vocab}`, { field: 'frequency' });
  const embeddings = Float64Array.from(await tokenEmbeddings.data());
  const direction = genderDirection(embeddings, hidden, pairs);
  const pFemale = Float64Array.from({ length: vocab }, (_, x) => femaleProbability(embeddings.subarray(x * hidden, (x + 1) * hidden), direction, temperature));
  const groups: [Float64Array, Float64Array] = [new Float64Array(vocab), new Float64Array(vocab)];
  for (let a = 0; a < 2; a++) {
    const q = groups[a] as Float64Array;
    let total = 0;
    for (let x = 0; x < vocab; x++) {
      const pa = a === 1 ? (pFemale[x] as number) : 1 - (pFemale[x] as number);
      q[x] = pa > groupThreshold ? (frequency[x] as number) * pa : 0;
      total += q[x] as number;
    }
    if (total <= 0) throw new UnbiasedError('BAD_INPUT', `no token has p(a|x) > ${groupThreshold} for group ${a}`, { field: 'frequency' });
    for (let x = 0; x < vocab; x++) q[x] = (q[x] as number) / total;
  }
  return { direction, pFemale, groups, embeddings, hidden, temperature };
}

/**
 * Per-token coefficients `c_x` of the debias loss `L_b = sum_x p_theta(x) c_x` in the context `context`
 * (token ids, padding excluded):
 * `c_x = KL(p(a|x,c) || p(a|x)) + 1/2 sum_a p(a|x) log(2 p(a|x))`, where `p(a|x,c)` uses the embedding
 * `(L mean_ctx e + e_x) / (L + 1)` (L = context length). The second term is `KL(p(a|x) || uniform)`, the
 * mutual-information term. Every `c_x >= 0`, so `L_b >= 0`.
 */
export function debiasCoefficients(signal: GenderSignal, context: readonly number[]): Float64Array {
  const { embeddings, hidden, direction, pFemale, temperature } = signal;
  const vocab = pFemale.length;
  const L = context.length;
  const mean = new Float64Array(hidden);
  for (const t of context) for (let j = 0; j < hidden; j++) mean[j] = (mean[j] as number) + (embeddings[t * hidden + j] as number) / Math.max(L, 1);
  const out = new Float64Array(vocab);
  const e = new Float64Array(hidden);
  for (let x = 0; x < vocab; x++) {
    for (let j = 0; j < hidden; j++) e[j] = (L * (mean[j] as number) + (embeddings[x * hidden + j] as number)) / (L + 1);
    const pc = clampProbability(femaleProbability(e, direction, temperature));
    const p = clampProbability(pFemale[x] as number);
    const kl = pc * Math.log(pc / p) + (1 - pc) * Math.log((1 - pc) / (1 - p));
    const mi = 0.5 * (p * Math.log(2 * p) + (1 - p) * Math.log(2 * (1 - p)));
    out[x] = Math.max(0, kl) + mi;
  }
  return out;
}

function clampProbability(p: number): number {
  return Math.min(1 - 1e-12, Math.max(1e-12, p));
}

/**
 * A synthetic "Adult-like" data set with planted historical bias, for FairTTTS experiments and tests.
 */
import { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';

/** Options of {@link generateAdultLike}. */
export interface AdultLikeOptions {
  /** Rows; default 6000. */
  rows?: number;
  /** Seed or generator; default 0. */
  rng?: Rng | number;
  /**
   * `'fnlwgt'` (default): x6 = round(exp(12 + 0.5·z6)) ≈ 1.6e5, an unscaled noise column like Adult's
   * fnlwgt, so TTTS's normaliser D = max|t| is large and the protected node gets p ≈ p_max. `'unit'`: x6 = z6,
   * every feature on unit scale, where D ≈ 2 and a 0/1 protected node never flips (FairTTTS ≡ TTTS).
   */
  noiseColumn?: 'fnlwgt' | 'unit';
  /** Direct effect of A on the label; default 0.9 (the planted bias). */
  directEffect?: number;
}

/** The generated data, column-wise. */
export interface AdultLikeData {
  rows: number;
  /** x1..x6. */
  numeric: Float64Array[];
  /** c1 (6 levels) and c2 (4 levels), as strings, to be target-encoded inside each training fold. */
  categorical: string[][];
  /** Protected attribute A: 1 = privileged (P = 0.67), 0 = unprivileged. */
  protectedAttribute: Uint8Array;
  /** y ∈ {0, 1}, 1 favourable. */
  labels: Uint8Array;
}

const C1_EDGES = [-1.5, -0.5, 0.5, 1.5, 2.5];

/**
 * Generates the Adult-like data: A ~ Bern(0.67); z ~ N(0, I₆); x1 = z1 + 0.5A, x2 = z2 + 0.5A, x3..x5 = z3..z5,
 * x6 per `noiseColumn`; y = 1[0.8x1 + 0.6x2 − 0.4x3 + 0.9A + ε > 0.6], ε ~ N(0, 1); c1 = the bin of
 * x1 + N(0, 1) among the edges (−1.5, −0.5, 0.5, 1.5, 2.5) (6 levels); c2 ∈ {0, 1} with probability 0.3 + 0.3A,
 * else {2, 3} (uniform within). P(y = 1 | A = 1) ≈ 0.75, P(y = 1 | A = 0) ≈ 0.34.
 *
 * Inferred design (not from a paper): the generator mimics the bias structure the FairTTTS paper
 * (Cohen-Inger et al., arXiv 2501.08155, 2025, §4) studies on Adult, with a protected attribute that the
 * tree splits on.
 */
export function generateAdultLike(options: AdultLikeOptions = {}): AdultLikeData {
  const n = options.rows ?? 6000;
  if (!Number.isInteger(n) || n < 2) throw new UnbiasedError('INVALID_ARGUMENT', `rows must be an integer >= 2; got ${n}`, { field: 'rows' });
  const rng = options.rng === undefined ? Rng.fromSeed(0) : typeof options.rng === 'number' ? Rng.fromSeed(options.rng) : options.rng;
  const noise = options.noiseColumn ?? 'fnlwgt';
  const direct = options.directEffect ?? 0.9;
  const uA = rng.fold('a').uniform(n);
  const z = Array.from({ length: 6 }, (_, j) => rng.fold(`z${j + 1}`).normal(n));
  const eps = rng.fold('eps').normal(n);
  const c1Noise = rng.fold('c1').normal(n);
  const uC2 = rng.fold('c2').uniform(2 * n);
  const a = new Uint8Array(n);
  const numeric = Array.from({ length: 6 }, () => new Float64Array(n));
  const labels = new Uint8Array(n);
  const c1: string[] = [];
  const c2: string[] = [];
  for (let i = 0; i < n; i++) {
    const ai = (uA[i] as number) < 0.67 ? 1 : 0;
    a[i] = ai;
    const zi = z.map((col) => col[i] as number);
    const x1 = (zi[0] as number) + 0.5 * ai;
    const x2 = (zi[1] as number) + 0.5 * ai;
    const x3 = zi[2] as number;
    (numeric[0] as Float64Array)[i] = x1;
    (numeric[1] as Float64Array)[i] = x2;
    (numeric[2] as Float64Array)[i] = x3;
    (numeric[3] as Float64Array)[i] = zi[3] as number;
    (numeric[4] as Float64Array)[i] = zi[4] as number;
    (numeric[5] as Float64Array)[i] = noise === 'fnlwgt' ? Math.round(Math.exp(12 + 0.5 * (zi[5] as number))) : (zi[5] as number);
    labels[i] = 0.8 * x1 + 0.6 * x2 - 0.4 * x3 + direct * ai + (eps[i] as number) > 0.6 ? 1 : 0;
    const v = x1 + (c1Noise[i] as number);
    let bin = 0;
    while (bin < C1_EDGES.length && v >= (C1_EDGES[bin] as number)) bin++;
    c1.push(String(bin));
    const low = (uC2[2 * i] as number) < 0.3 + 0.3 * ai;
    const which = (uC2[2 * i + 1] as number) < 0.5 ? 0 : 1;
    c2.push(String(low ? which : 2 + which));
  }
  return { rows: n, numeric, categorical: [c1, c2], protectedAttribute: a, labels };
}

/**
 * Position-based click model (PBM; Richardson et al. 2007, Craswell et al. 2008): a click needs the
 * document to be examined, which depends only on its rank, and to be attractive, which depends only on
 * its relevance.
 */
import type { Rng } from '@unbiased/core';
import { arrayLength, integerOption, invalidArgument, numberOption } from '../validate.js';
import { attractiveness, type ClickNoise, type ClickNoiseOptions, clickNoise } from './click-noise.js';
import type { ClickModel } from './types.js';

/**
 * Examination probabilities at ranks 1..10 from eye-tracking (Joachims et al. 2005), as used by the DLA
 * simulator (`click_models.py`, Ai et al. 2018). Ranks beyond 10 reuse the last value.
 */
export const EYE_TRACKING_EXAMINATION: readonly number[] = Object.freeze([0.68, 0.61, 0.48, 0.34, 0.28, 0.2, 0.11, 0.1, 0.08, 0.06]);

/**
 * Position bias of the real Baidu-ULTR logs at ranks 1..10, normalised to rank 1 (Hager et al. 2024,
 * `ultr-reproducibility/propensities/global_all_pairs.csv`). A "Baidu-like" examination vector.
 */
export const BAIDU_LIKE_EXAMINATION: readonly number[] = Object.freeze([1, 0.674, 0.414, 0.293, 0.208, 0.171, 0.136, 0.117, 0.084, 0.058]);

/**
 * How examination depends on rank i (1-based):
 * - `'eyetracking'` (default): `rho_i^eta` with {@link EYE_TRACKING_EXAMINATION}; ranks > 10 reuse rho_10.
 * - `'baidu'`: `b_i^eta` with {@link BAIDU_LIKE_EXAMINATION}; ranks > 10 reuse b_10.
 * - `{ powerLaw: eta }`: `(1 / i)^eta`.
 * - `{ vector }`: `v_i^eta` for a custom vector of probabilities; ranks beyond it reuse the last value.
 */
export type ExaminationSpec = 'eyetracking' | 'baidu' | { powerLaw: number } | { vector: ArrayLike<number> };

export interface PositionBasedOptions extends ClickNoiseOptions {
  /** Examination by rank; default `'eyetracking'`. */
  exam?: ExaminationSpec;
  /** Severity exponent applied to a vector examination (`'eyetracking'`, `'baidu'`, `{ vector }`); default 1. Not allowed with `powerLaw`, which carries its own exponent. */
  eta?: number;
  /** Length of {@link PositionBasedModel.propensity}; default 10 (the vector's length for `{ vector }`). Longer lists are still accepted. */
  ranks?: number;
}

function checkVector(field: string, values: ArrayLike<number>): Float64Array {
  const n = arrayLength(field, values);
  if (n === 0) invalidArgument(field, `${field} must not be empty`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) invalidArgument(field, `${field}[${i}] must be a probability in [0, 1]; got ${String(v)}`);
    out[i] = v;
  }
  return out;
}

/**
 * Position-based click model:
 * `P(c_i = 1) = P(o_i = 1 | i) * P(c = 1 | o = 1, y_i)`, examination `P(o_i = 1 | i)` from
 * {@link ExaminationSpec}, and `P(c | o = 1, y) = eps- + (eps+ - eps-) (2^y - 1) / (2^maxGrade - 1)`
 * (defaults 0.1, 1.0, 4). A session draws `u_i ~ U[0, 1)` per rank and clicks where
 * `u_i < exam_i * attract_i` (as ULTRA's simulator), so the clicks of different ranks are independent.
 *
 * `propensity` holds the true examination probabilities of ranks 1..`ranks` (not normalised); the
 * IPW weights normalised to rank 1 are `propensity[0] / propensity[i]`.
 */
export class PositionBasedModel implements ClickModel {
  readonly name = 'pbm';
  /** True examination probability by rank (index 0 = rank 1), length `ranks`. */
  readonly propensity: Float64Array;
  readonly noise: ClickNoise;
  private readonly base: Float64Array | null;
  private readonly eta: number;
  private readonly powerLaw: number | null;

  constructor(options: PositionBasedOptions = {}) {
    this.noise = clickNoise(options);
    const exam = options.exam ?? 'eyetracking';
    if (typeof exam === 'object' && exam !== null && 'powerLaw' in exam) {
      if (options.eta !== undefined) invalidArgument('eta', 'eta applies to vector examinations; { powerLaw: eta } carries its own exponent');
      this.powerLaw = numberOption('exam.powerLaw', exam.powerLaw, 1, 0);
      this.base = null;
      this.eta = 1;
    } else {
      this.powerLaw = null;
      this.eta = numberOption('eta', options.eta, 1, 0);
      if (exam === 'eyetracking') this.base = Float64Array.from(EYE_TRACKING_EXAMINATION);
      else if (exam === 'baidu') this.base = Float64Array.from(BAIDU_LIKE_EXAMINATION);
      else if (typeof exam === 'object' && exam !== null && 'vector' in exam) this.base = checkVector('exam.vector', exam.vector);
      else invalidArgument('exam', `exam must be 'eyetracking', 'baidu', { powerLaw: eta } or { vector }; got ${JSON.stringify(exam)}`);
    }
    const isVector = typeof exam === 'object' && exam !== null && 'vector' in exam;
    const ranks = integerOption('ranks', options.ranks, isVector && this.base !== null ? this.base.length : 10, 1);
    this.propensity = this.examination(ranks);
  }

  /** Examination probability of ranks 1..n (index 0 = rank 1), for any list length n. */
  examination(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (this.powerLaw !== null) out[i] = (1 / (i + 1)) ** this.powerLaw;
      else {
        const base = this.base as Float64Array;
        out[i] = (base[Math.min(i, base.length - 1)] as number) ** this.eta;
      }
    }
    return out;
  }

  /** `P(c = 1 | o = 1, y_i)` per rank. */
  attractiveness(relevance: ArrayLike<number>): Float64Array {
    return attractiveness(relevance, this.noise);
  }

  clickProbabilities(relevance: ArrayLike<number>): Float64Array {
    const attract = this.attractiveness(relevance);
    const exam = this.examination(attract.length);
    for (let i = 0; i < attract.length; i++) attract[i] = (attract[i] as number) * (exam[i] as number);
    return attract;
  }

  sample(relevance: ArrayLike<number>, rng: Rng): Uint8Array {
    const p = this.clickProbabilities(relevance);
    const u = rng.uniform(p.length);
    const clicks = new Uint8Array(p.length);
    for (let i = 0; i < p.length; i++) clicks[i] = (u[i] as number) < (p[i] as number) ? 1 : 0;
    return clicks;
  }
}

/** A {@link PositionBasedModel}; see its options for the defaults. */
export function positionBasedModel(options: PositionBasedOptions = {}): PositionBasedModel {
  return new PositionBasedModel(options);
}

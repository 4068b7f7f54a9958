import { checkArrayLike, checkFiniteArray, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import { type Contexts, checkContexts } from '../validate.js';

/**
 * A finite class H of deterministic binary classifiers h: X -> {0, 1} over `dimension`-dimensional contexts,
 * the comparator class of "Individually Fair Learning with One-Sided Feedback" (Bechavod & Roth, ICML 2023,
 * the model section): the learner deploys a distribution over H. Policies are numbered 0..size-1.
 */
export interface PolicyClass {
  readonly size: number;
  readonly dimension: number;
  /** Human-readable name of policy `policy` (for tables). */
  name(policy: number): string;
  /** h_policy(x) in {0, 1}; `context` has `dimension` entries. */
  decide(policy: number, context: ArrayLike<number>): 0 | 1;
}

/**
 * The action matrix of one round: `actions[h * k + i] = h(x^i)` for every policy h of the class and every
 * individual i of the round (row-major, |H| x k). This is the reduction's map from a policy to its
 * combinatorial action a(h) in {0, 1}^k (Bechavod & Roth 2023, the semi-bandit reduction).
 * Throws `SHAPE_MISMATCH` naming `contexts[i]` for a row of the wrong dimension.
 */
export function actionMatrix(policyClass: PolicyClass, contexts: Contexts): Uint8Array {
  const k = checkContexts(contexts, policyClass.dimension);
  const actions = new Uint8Array(policyClass.size * k);
  for (let h = 0; h < policyClass.size; h++) {
    for (let i = 0; i < k; i++) actions[h * k + i] = policyClass.decide(h, contexts[i] as ArrayLike<number>);
  }
  return actions;
}

/** Options of {@link linearThresholdClass}. */
export interface LinearThresholdClassOptions {
  /** Weight vectors w (each `dimension` long). */
  weights: readonly ArrayLike<number>[];
  /** Thresholds b; every (w, b) pair is one policy. */
  thresholds: ArrayLike<number>;
  /** Add the constant policies all-0 and all-1 (default true: they keep every arm playable). */
  constants?: boolean;
}

/**
 * The finite class of linear threshold policies h_{w,b}(x) = 1[w . x >= b] for every weight vector w and
 * threshold b given (|weights| x |thresholds| policies, weights outer), plus the constants all-0 and all-1 at the
 * end when `constants` (default true). A plain, dense class for Exp2 over experts (Bubeck, Cesa-Bianchi &
 * Kakade 2012, "Towards minimax policies for online linear optimization with bandit feedback", Exp2).
 */
export function linearThresholdClass({ weights, thresholds, constants = true }: LinearThresholdClassOptions): PolicyClass {
  const count = checkArrayLike('weights', weights);
  if (count === 0) throw new UnbiasedError('BAD_INPUT', 'weights must hold at least one weight vector; got 0', { field: 'weights' });
  const dimension = checkPositiveInteger('weights[0].length', (weights[0] as ArrayLike<number>)?.length, 'SHAPE_MISMATCH');
  const w: Float64Array[] = [];
  for (let j = 0; j < count; j++) {
    const field = `weights[${j}]`;
    checkFiniteArray(field, weights[j]);
    if ((weights[j] as ArrayLike<number>).length !== dimension) {
      throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have dimension ${dimension}; got ${(weights[j] as ArrayLike<number>).length}`, { field });
    }
    w.push(Float64Array.from(weights[j] as ArrayLike<number>));
  }
  const thresholdCount = checkFiniteArray('thresholds', thresholds);
  if (thresholdCount === 0) throw new UnbiasedError('BAD_INPUT', 'thresholds must hold at least one threshold; got 0', { field: 'thresholds' });
  const b = Float64Array.from(thresholds);
  const linear = count * thresholdCount;
  const size = linear + (constants ? 2 : 0);
  return {
    size,
    dimension,
    name(policy) {
      if (policy >= linear) return policy === linear ? 'all-0' : 'all-1';
      const j = Math.floor(policy / thresholdCount);
      return `1[w${j} . x >= ${b[policy % thresholdCount]}]`;
    },
    decide(policy, context) {
      if (policy >= linear) return policy === linear ? 0 : 1;
      const weight = w[Math.floor(policy / thresholdCount)] as Float64Array;
      let score = 0;
      for (let d = 0; d < dimension; d++) score += (weight[d] as number) * (context[d] as number);
      return score >= (b[policy % thresholdCount] as number) ? 1 : 0;
    },
  };
}

/**
 * Unit weight vectors (cos θ, sin θ) at `count` angles evenly spaced over [0, π/2] (both ends included), for a
 * two-dimensional {@link linearThresholdClass}. `count` = 1 gives θ = 0.
 */
export function angleGrid2d(count: number): Float64Array[] {
  checkPositiveInteger('count', count);
  return Array.from({ length: count }, (_, a) => {
    const theta = count === 1 ? 0 : (a * Math.PI) / 2 / (count - 1);
    return Float64Array.of(Math.cos(theta), Math.sin(theta));
  });
}

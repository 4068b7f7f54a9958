import {
  chain,
  ema,
  type GradientTransformation,
  lionDirection,
  type Rng,
  type ScalarOrSchedule,
  type StateDtype,
  scaleByAdam,
  scaleByLearningRate,
  scaleBySign,
  signConversion,
} from '@unbiased/core';

// The baselines of the experiments, each a chain of core's transforms as optax writes them (no algorithm is
// written again here); StoSignSGD itself is this package's recipe.

/** SignSGD (Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems", Alg. 1): `-lr * sign(g)`. */
export function signSgd(learningRate: ScalarOrSchedule): GradientTransformation {
  return chain(scaleBySign(), scaleByLearningRate(learningRate));
}

/** Signum (Bernstein et al. 2018, Alg. 3): `-lr * sign(m)`, `m` the undebiased EMA of `g` with decay `beta`, stored in `stateDtype`. */
export function signum(learningRate: ScalarOrSchedule, beta: number, stateDtype: StateDtype = 'float32'): GradientTransformation {
  return chain(ema({ decay: beta, debias: false, stateDtype }), scaleBySign(), scaleByLearningRate(learningRate));
}

/** The base optimizers of the sign-conversion ablation. */
export type BaseOptimizer = 'sgd' | 'momentum' | 'adam' | 'lion';
export const BASE_OPTIMIZERS: readonly BaseOptimizer[] = ['sgd', 'momentum', 'adam', 'lion'];

/** The direction `u_t` of a base optimizer: `g` (SGD), the EMA `m` (momentum 0.9), Adam's (core `scaleByAdam`), or Lion's (0.9, 0.99). */
function baseDirection(base: BaseOptimizer): GradientTransformation[] {
  if (base === 'momentum') return [ema({ decay: 0.9, debias: false })];
  if (base === 'adam') return [scaleByAdam()];
  if (base === 'lion') return [lionDirection()];
  return [];
}

/**
 * The sign-conversion framework applied to `base`: `chain(u_t, signConversion({ sign }), lr)`. Deterministic gives
 * SignSGD / Signum / sign-Adam / Lion; stochastic gives their unbiased StoSign counterparts (same envelope).
 */
export function signConverted(base: BaseOptimizer, sign: 'deterministic' | 'stochastic', learningRate: ScalarOrSchedule, seed: Rng): GradientTransformation {
  return chain(...baseDirection(base), signConversion({ sign, seed }), scaleByLearningRate(learningRate));
}

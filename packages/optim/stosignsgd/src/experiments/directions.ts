import * as tf from '@tensorflow/tfjs-core';
import {
  addDecayedWeights,
  chain,
  checkSameVariables,
  type EmaState,
  ema,
  type GradientTransformation,
  lionDirection,
  mapNamed,
  type NamedTensors,
  type Rng,
  type ScalarOrSchedule,
  type StateDtype,
  type StateTree,
  scaleByLearningRate,
  scaleBySign,
  signConversion,
  zerosLikeAll,
} from '@unbiased/core';

// The optimizers of the experiments, built from core's transforms only (so the experiments do not depend on
// this package's recipes and stay a cross-check of them).

/** State of {@link adamDirection}: the two moment averages, each a core `ema` state. */
export interface AdamDirectionState extends StateTree {
  mu: EmaState;
  nu: EmaState;
}

/**
 * Adam's direction `m_hat / (sqrt(v_hat) + eps)` (Kingma & Ba 2015, Alg. 1) from two core `ema`s, one of `g`
 * and one of `g^2`, both debiased. `stateDtype` stores both moments rounded (bf16, or e4m3 with per-tensor
 * scaling) as FP8/bf16 optimizer-state recipes do; with `float32` it equals core `scaleByAdam` up to float32
 * rounding.
 */
export function adamDirection({
  b1 = 0.9,
  b2 = 0.999,
  eps = 1e-8,
  stateDtype = 'float32',
}: { b1?: number; b2?: number; eps?: number; stateDtype?: StateDtype } = {}): GradientTransformation<AdamDirectionState> {
  const first = ema({ decay: b1, debias: true, stateDtype });
  const second = ema({ decay: b2, debias: true, stateDtype });
  return {
    name: 'adam_direction',
    init: (params) => ({ mu: first.init(params), nu: second.init(params) }),
    update(grads, state) {
      const squares = mapNamed(grads, (g) => tf.square(g));
      const m = first.update(grads, state.mu);
      const v = second.update(squares, state.nu);
      const updates = mapNamed(grads, (_, name) =>
        tf.tidy(() => tf.div(m.updates[name] as tf.Tensor, tf.add(tf.sqrt(v.updates[name] as tf.Tensor), tf.scalar(eps)))),
      );
      tf.dispose([...Object.values(squares), ...Object.values(m.updates), ...Object.values(v.updates)]);
      return { updates, state: { mu: m.state, nu: v.state } };
    },
  };
}

/** Plain (stochastic) gradient descent: `-lr * g`. */
export function sgd(learningRate: ScalarOrSchedule): GradientTransformation {
  return chain(scaleByLearningRate(learningRate));
}

/** SignSGD (Bernstein et al. 2018): `-lr * sign(g)`. */
export function signSgd(learningRate: ScalarOrSchedule): GradientTransformation {
  return chain(scaleBySign(), scaleByLearningRate(learningRate));
}

/** Signum (Bernstein et al. 2018): `-lr * sign(m)`, `m` the undebiased EMA of `g` with decay `beta`. */
export function signum(learningRate: ScalarOrSchedule, beta: number, stateDtype: StateDtype = 'float32'): GradientTransformation {
  return chain(ema({ decay: beta, debias: false, stateDtype }), scaleBySign(), scaleByLearningRate(learningRate));
}

/**
 * StoSignSGD (spec 01 §1.2): `-lr * sign(m + S n)` with `m` the undebiased EMA (skipped at `beta1 = 0`, where
 * `m = g`) and the coordinate running-max envelope `S`; `stateDtype` rounds both stored states.
 */
export function stoSignSgd(learningRate: ScalarOrSchedule, beta1: number, seed: Rng, stateDtype: StateDtype = 'float32'): GradientTransformation {
  const momentum = beta1 > 0 ? [ema({ decay: beta1, debias: false, stateDtype })] : [];
  return chain(...momentum, signConversion({ seed, stateDtype }), scaleByLearningRate(learningRate));
}

/** AdamW (Loshchilov & Hutter 2019): Adam's direction, decoupled weight decay, learning rate. */
export function adamW(
  learningRate: ScalarOrSchedule,
  { b1 = 0.9, b2 = 0.999, eps = 1e-8, weightDecay = 0, stateDtype = 'float32' }: { b1?: number; b2?: number; eps?: number; weightDecay?: number; stateDtype?: StateDtype },
): GradientTransformation {
  return chain(adamDirection({ b1, b2, eps, stateDtype }), addDecayedWeights(weightDecay), scaleByLearningRate(learningRate));
}

/** The base optimizers of the sign-conversion ablation (spec 01 §1.3). */
export type BaseOptimizer = 'sgd' | 'momentum' | 'adam' | 'lion';
export const BASE_OPTIMIZERS: readonly BaseOptimizer[] = ['sgd', 'momentum', 'adam', 'lion'];

/** The direction `u_t` of a base optimizer: `g` (SGD), the EMA `m` (momentum 0.9), Adam's, or Lion's (0.9, 0.99). */
export function baseDirection(base: BaseOptimizer): GradientTransformation<any>[] {
  if (base === 'momentum') return [ema({ decay: 0.9, debias: false })];
  if (base === 'adam') return [adamDirection()];
  if (base === 'lion') return [lionDirection()];
  return [];
}

/**
 * The framework applied to `base` (spec 01 §1.3): `chain(u_t, signConversion({ sign }), lr)`. Deterministic gives
 * SignSGD / Signum / sign-Adam / Lion; stochastic gives their unbiased StoSign counterparts (same envelope).
 */
export function signConverted(base: BaseOptimizer, sign: 'deterministic' | 'stochastic', learningRate: ScalarOrSchedule, seed: Rng): GradientTransformation {
  return chain(...baseDirection(base), signConversion({ sign, seed }), scaleByLearningRate(learningRate));
}

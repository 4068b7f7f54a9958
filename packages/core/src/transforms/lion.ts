import * as tf from '@tensorflow/tfjs-core';
import { checkDecay } from '../errors.js';
import { checkSameVariables, mapNamed, zerosLikeAll } from './tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from './types.js';

/** Options of {@link lionDirection}; defaults are the Lion paper's (Chen et al. 2023). */
export interface LionDirectionOptions {
  /** Interpolation between momentum and gradient for the update direction, in [0, 1). Default 0.9. */
  b1?: number;
  /** Decay of the momentum that is carried to the next step, in [0, 1). Default 0.99. */
  b2?: number;
}

/** State of {@link lionDirection}: the momentum `m` per variable. */
export interface LionDirectionState extends StateTree {
  m: NamedTensors;
}

/**
 * The direction of Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1),
 * before the sign:
 *
 *   c_t = b1 * m_{t-1} + (1 - b1) * g_t        (output)
 *   m_t = b2 * m_{t-1} + (1 - b2) * g_t        (state, keyed by variable name)
 *
 * Two different decays are what separates Lion from Signum (which is `b1 = b2`). Chain `scaleBySign()` after
 * it for Lion, or `signConversion` for its stochastic-sign counterpart.
 */
export function lionDirection({ b1 = 0.9, b2 = 0.99 }: LionDirectionOptions = {}): GradientTransformation<LionDirectionState> {
  checkDecay('b1', b1);
  checkDecay('b2', b2);
  return {
    name: 'lion_direction',
    init: (params) => ({ m: zerosLikeAll(params) }),
    update(grads, state) {
      checkSameVariables('gradients', grads, 'lion momentum state', state.m);
      const interpolate = (m: tf.Tensor, g: tf.Tensor, beta: number) =>
        tf.tidy(() => tf.add(tf.mul(m, tf.scalar(beta, m.dtype)), tf.mul(g, tf.scalar(1 - beta, g.dtype))));
      const updates = mapNamed(grads, (g, name) => interpolate(state.m[name] as tf.Tensor, g, b1));
      const m = mapNamed(grads, (g, name) => interpolate(state.m[name] as tf.Tensor, g, b2));
      return { updates, state: { m } };
    },
  };
}

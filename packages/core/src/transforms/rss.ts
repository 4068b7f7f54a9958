import * as tf from '@tensorflow/tfjs-core';
import { checkNonNegative } from '../errors.js';
import { checkSameVariables, mapNamed } from './tree.js';
import type { GradientTransformation, NamedTensors, StateTree } from './types.js';

/** State of {@link scaleByRss}: the running sum of squared gradients per variable. */
export interface RssState extends StateTree {
  sumOfSquares: NamedTensors;
}

/** Options of {@link scaleByRss}; the defaults are optax `scale_by_rss`'s. */
export interface ScaleByRssOptions {
  /**
   * Starting value `s_0` of the accumulator, `>= 0`. Default 0.1 (optax; TF1 `AdagradOptimizer`'s
   * `initial_accumulator_value`), which keeps the first steps finite when a gradient is tiny.
   */
  initialAccumulator?: number;
  /** Added inside the root, `>= 0`. Default 1e-7 (optax; TF1 adds none). */
  eps?: number;
}

/**
 * Adagrad's preconditioner, the root of the running sum of squares (Duchi, Hazan & Singer 2011, "Adaptive
 * Subgradient Methods for Online Learning and Stochastic Optimization", JMLR 12, §1 and the diagonal update
 * of Fig. 1; optax `scale_by_rss`):
 *
 *   s_t = s_{t-1} + g_t^2,   u_t = g_t / sqrt(s_t + eps),   s_0 = initialAccumulator
 *
 * elementwise, state keyed by variable name. Chain it with `scaleByLearningRate` for Adagrad.
 */
export function scaleByRss({ initialAccumulator = 0.1, eps = 1e-7 }: ScaleByRssOptions = {}): GradientTransformation<RssState> {
  checkNonNegative('initialAccumulator', initialAccumulator);
  checkNonNegative('eps', eps);
  return {
    name: 'scale_by_rss',
    init: (params) => ({ sumOfSquares: mapNamed(params, (p) => tf.fill(p.shape, initialAccumulator, 'float32')) }),
    update(grads, state) {
      checkSameVariables('gradients', grads, 'rss state', state.sumOfSquares);
      const sumOfSquares = mapNamed(grads, (g, name) => tf.tidy(() => tf.add(state.sumOfSquares[name] as tf.Tensor, tf.square(g))));
      const updates = mapNamed(grads, (g, name) => tf.tidy(() => tf.mul(g, tf.rsqrt(tf.add(sumOfSquares[name] as tf.Tensor, tf.scalar(eps))))));
      return { updates, state: { sumOfSquares } };
    },
  };
}

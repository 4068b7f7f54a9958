import * as tf from '@tensorflow/tfjs-core';
import {
  chain,
  checkSameVariables,
  clipByGlobalNorm,
  type GradientTransformation,
  mapNamed,
  type NamedTensors,
  type ScalarOrSchedule,
  type StateTree,
  scaleByLearningRate,
} from '@unbiased/core';
import { checkHyperparameter } from '@unbiased/core/errors';

/** State of {@link scaleByRss}: the running sum of squared gradients per variable. */
export interface RssState extends StateTree {
  sumOfSquares: NamedTensors;
}

export interface ScaleByRssOptions {
  /** Starting value of the accumulator. Default 0.1 [C: TF1 `AdagradOptimizer`, used by the DLA code]. */
  initialAccumulator?: number;
  /** Added inside the root. Default 1e-7 (optax `scale_by_rss`; TF1 adds none) [I]. */
  eps?: number;
}

/**
 * Adagrad's preconditioner (Duchi, Hazan & Singer 2011; optax `scale_by_rss`):
 * `s_t = s_{t-1} + g_t^2`, `u_t = g_t / sqrt(s_t + eps)`, with `s_0 = initialAccumulator`.
 * Chain it with `scaleByLearningRate` for Adagrad. (Core has no Adagrad block yet; this one follows
 * core's transform contract, state keyed by variable name, and can move there unchanged.)
 */
export function scaleByRss({ initialAccumulator = 0.1, eps = 1e-7 }: ScaleByRssOptions = {}): GradientTransformation<RssState> {
  checkHyperparameter('initialAccumulator', initialAccumulator, { min: 0 });
  checkHyperparameter('eps', eps, { min: 0 });
  return {
    name: 'scale_by_rss',
    init: (params) => ({ sumOfSquares: mapNamed(params, (p) => tf.fill(p.shape, initialAccumulator, 'float32')) }),
    update(grads, state) {
      checkSameVariables('gradients', grads, 'adagrad state', state.sumOfSquares);
      const sumOfSquares = mapNamed(grads, (g, name) => tf.tidy(() => tf.add(state.sumOfSquares[name] as tf.Tensor, tf.square(g))));
      const updates = mapNamed(grads, (g, name) =>
        tf.tidy(() => tf.mul(g, tf.rsqrt(tf.add(sumOfSquares[name] as tf.Tensor, tf.scalar(eps))))),
      );
      return { updates, state: { sumOfSquares } };
    },
  };
}

export interface AdagradOptions extends ScaleByRssOptions {
  /** Step size, a number or a core schedule. Default 0.05 [C: DLA TF1 code and ULTRA_pytorch; the DLA README says 0.5]. */
  learningRate?: ScalarOrSchedule;
  /** Clip the gradients of one network to this global L2 norm first. Default 5 [C: DLA TF1 / ULTRA]. `Infinity` disables it. */
  maxGradNorm?: number;
}

/**
 * Adagrad as DLA trains each of its networks: `chain(clipByGlobalNorm(maxGradNorm), scaleByRss, scaleByLearningRate)`
 * with lr 0.05, initial accumulator 0.1 and clip norm 5 (spec 02 §1, "Architectures and defaults").
 */
export function adagrad({ learningRate = 0.05, maxGradNorm = 5, ...rss }: AdagradOptions = {}): GradientTransformation<StateTree> {
  if (typeof learningRate === 'number') checkHyperparameter('learningRate', learningRate, { min: 0 });
  const stages: GradientTransformation<any>[] = [];
  if (maxGradNorm !== Infinity) stages.push(clipByGlobalNorm(maxGradNorm));
  stages.push(scaleByRss(rss), scaleByLearningRate(learningRate));
  return chain(...stages);
}

import { constantHyperparameter, type OptimizerReference, referenceSize } from '@unbiased/core';
import type { SignSGDOptions } from './sign-sgd.js';
import type { SignumOptions } from './signum.js';

/**
 * Float64 signSGD, from Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems",
 * algorithm signSGD, with decoupled weight decay:  p <- p - lr (sign(g) + wd p)   (sign(0) = 0).
 */
export const signSGDReference: OptimizerReference<SignSGDOptions, Record<string, never>> = {
  source: 'Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems", algorithm signSGD',
  init: () => ({}),
  step(p, g, _state, _t, { options }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    const wd = constantHyperparameter('weightDecay', options.weightDecay ?? 0);
    for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) - lr * (Math.sign(g[i] as number) + wd * (p[i] as number));
  },
};

/**
 * Float64 Signum, from Bernstein et al. 2018, algorithm Signum, with decoupled weight decay:
 *   m <- beta m + (1 - beta) g;  p <- p - lr (sign(m) + wd p)   (sign(0) = 0).
 */
export const signumReference: OptimizerReference<SignumOptions, { m: Float64Array }> = {
  source: 'Bernstein et al. 2018, "signSGD: Compressed Optimisation for Non-Convex Problems", algorithm Signum',
  init: (shape) => ({ m: new Float64Array(referenceSize(shape)) }),
  step(p, g, { m }, _t, { options }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    const wd = constantHyperparameter('weightDecay', options.weightDecay ?? 0);
    const beta = options.beta ?? 0.9;
    for (let i = 0; i < p.length; i++) {
      m[i] = beta * (m[i] as number) + (1 - beta) * (g[i] as number);
      p[i] = (p[i] as number) - lr * (Math.sign(m[i] as number) + wd * (p[i] as number));
    }
  },
};

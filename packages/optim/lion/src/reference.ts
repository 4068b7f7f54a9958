import { constantHyperparameter, type OptimizerReference, referenceSize } from '@unbiased/core';
import type { LionOptions } from './lion.js';

/**
 * Float64 Lion, from Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1:
 *   c = b1 m + (1 - b1) g;  p <- p - lr (sign(c) + wd p);  m <- b2 m + (1 - b2) g        (sign(0) = 0)
 */
export const lionReference: OptimizerReference<LionOptions, { m: Float64Array }> = {
  source: 'Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1',
  init: (shape) => ({ m: new Float64Array(referenceSize(shape)) }),
  step(p, g, { m }, _t, { options }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    const wd = constantHyperparameter('weightDecay', options.weightDecay ?? 0);
    const { b1 = 0.9, b2 = 0.99 } = options;
    for (let i = 0; i < p.length; i++) {
      const c = b1 * (m[i] as number) + (1 - b1) * (g[i] as number);
      p[i] = (p[i] as number) - lr * (Math.sign(c) + wd * (p[i] as number));
      m[i] = b2 * (m[i] as number) + (1 - b2) * (g[i] as number);
    }
  },
};

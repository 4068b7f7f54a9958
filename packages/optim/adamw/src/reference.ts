import { constantHyperparameter, UnbiasedError, type OptimizerReference, referenceSize } from '@unbiased/core';
import { type AdamWOptions, decayAll, decayMatricesOnly } from './adamw.js';

type AdamWState = { m: Float64Array; v: Float64Array };

function decays(mask: AdamWOptions['mask'], name: string, rank: number): boolean {
  if (mask === undefined || mask === decayMatricesOnly) return rank >= 2;
  if (mask === decayAll) return true;
  if (typeof mask === 'object' && mask !== null) return Boolean(mask[name]);
  throw new UnbiasedError('INVALID_ARGUMENT', 'the float64 reference of adamw supports name -> boolean masks, decayAll and decayMatricesOnly', { field: 'mask' });
}

/**
 * Float64 AdamW, from Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2 (Adam's
 * moments and bias corrections: Kingma & Ba 2015, "Adam", Algorithm 1), with the schedule multiplier folded into lr:
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - lr ( (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + wd p )     (wd only where the mask decays)
 */
export const adamwReference: OptimizerReference<AdamWOptions, AdamWState> = {
  source: 'Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization", Algorithm 2',
  init: (shape) => ({ m: new Float64Array(referenceSize(shape)), v: new Float64Array(referenceSize(shape)) }),
  step(p, g, { m, v }, t, { options, name, shape }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    const { b1 = 0.9, b2 = 0.999, eps = 1e-8 } = options;
    const wd = decays(options.mask, name, shape.length) ? constantHyperparameter('weightDecay', options.weightDecay ?? 0.01) : 0;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] as number;
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      const direction = (m[i] as number) / (1 - b1 ** t) / (Math.sqrt((v[i] as number) / (1 - b2 ** t)) + eps);
      p[i] = (p[i] as number) - lr * (direction + wd * (p[i] as number));
    }
  },
};

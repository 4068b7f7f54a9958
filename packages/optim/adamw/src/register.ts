// Side-effect entry: `import '@unbiased/optim-adamw/register'` registers `adamw`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { type AdamWOptions, adamw, decayAll } from './adamw.js';
import { adamwReference } from './reference.js';

/** Registry entry of {@link adamw}: defaults of PyTorch `AdamW` (lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01). */
export const adamwEntry: OptimizerEntry<AdamWOptions> = {
  name: 'adamw',
  packageName: '@unbiased/optim-adamw',
  description: 'AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay (rank >= 2 variables by default)',
  defaults: { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0.01, impl: 'fused' },
  create: (options = {}) => adamw({ ...adamwEntry.defaults, ...options }),
  reference: adamwReference,
  variants: [{ options: { impl: 'reference' } }, { label: 'decay all, wd 0.1, b2 0.99', options: { mask: decayAll, weightDecay: 0.1, b2: 0.99 } }],
  invalid: [
    { options: { b1: 1 }, field: 'b1' },
    { options: { b2: -0.5 }, field: 'b2' },
    { options: { eps: -1 }, field: 'eps' },
    { options: { weightDecay: -0.1 }, field: 'weightDecay' },
  ],
};

registerOptimizer(adamwEntry);

// Side-effect entry: `import '@unbiased/optim-adamw/register'` registers `adamw`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { type AdamWOptions, adamw } from './adamw.js';

/** Registry entry of {@link adamw}: defaults of PyTorch `AdamW` (lr 1e-3, betas (0.9, 0.999), eps 1e-8, wd 0.01). */
export const adamwEntry: OptimizerEntry<AdamWOptions> = {
  name: 'adamw',
  packageName: '@unbiased/optim-adamw',
  description: 'AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay (rank >= 2 variables by default)',
  defaults: { learningRate: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0.01, impl: 'fused' },
  create: (options = {}) => adamw({ ...adamwEntry.defaults, ...options }),
};

registerOptimizer(adamwEntry);

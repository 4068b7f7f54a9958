// Side-effect entry: `import '@unbiased/optim-lion/register'` registers `lion`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { type LionOptions, lion } from './lion.js';

/** Registry entry of {@link lion}: lr 1e-4, betas (0.9, 0.99), wd 0 (lucidrains/lion-pytorch defaults). */
export const lionEntry: OptimizerEntry<LionOptions> = {
  name: 'lion',
  packageName: '@unbiased/optim-lion',
  description: 'Lion (Chen et al. 2023): sign of an interpolated momentum, decoupled weight decay',
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.99, weightDecay: 0, impl: 'reference' },
  create: (options = {}) => lion({ ...lionEntry.defaults, ...options }),
};

registerOptimizer(lionEntry);

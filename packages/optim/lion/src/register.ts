// Side-effect entry: `import '@unbiased/optim-lion/register'` registers `lion`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { type LionOptions, lion } from './lion.js';
import { lionReference } from './reference.js';

/** Registry entry of {@link lion}: lr 1e-4, betas (0.9, 0.99), wd 0 (lucidrains/lion-pytorch defaults). */
export const lionEntry: OptimizerEntry<LionOptions> = {
  name: 'lion',
  packageName: '@unbiased/optim-lion',
  description: 'Lion (Chen et al. 2023): sign of an interpolated momentum, decoupled weight decay',
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.99, weightDecay: 0, impl: 'reference' },
  create: (options = {}) => lion({ ...lionEntry.defaults, ...options }),
  reference: lionReference,
  variants: [{ options: { impl: 'fused' } }, { options: { impl: 'fused', weightDecay: 0.1, b1: 0.5 } }],
  invalid: [
    { options: { b1: 1 }, field: 'b1' },
    { options: { b2: -0.1 }, field: 'b2' },
    { options: { weightDecay: -1 }, field: 'weightDecay' },
  ],
};

registerOptimizer(lionEntry);

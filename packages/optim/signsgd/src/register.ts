// Side-effect entry: `import '@unbiased/optim-signsgd/register'` registers `signsgd` and `signum`.
import { type OptimizerEntry, registerOptimizer } from '@unbiased/core';
import { signSGDReference, signumReference } from './reference.js';
import { type SignSGDOptions, signSGD } from './sign-sgd.js';
import { type SignumOptions, signum } from './signum.js';

const packageName = '@unbiased/optim-signsgd';

/** Registry entry of {@link signSGD}. Default lr 1e-4 is our choice (inferred: a sign step moves every coordinate by lr). */
export const signSGDEntry: OptimizerEntry<SignSGDOptions> = {
  name: 'signsgd',
  packageName,
  description: 'SignSGD (Bernstein et al. 2018): p -= lr * (sign(g) + wd * p)',
  defaults: { learningRate: 1e-4, weightDecay: 0 },
  create: (options = {}) => signSGD({ ...signSGDEntry.defaults, ...options }),
  reference: signSGDReference,
  variants: [{ options: { weightDecay: 0.1 } }],
  invalid: [{ options: { weightDecay: -1 }, field: 'weightDecay' }],
};

/** Registry entry of {@link signum}. */
export const signumEntry: OptimizerEntry<SignumOptions> = {
  name: 'signum',
  packageName,
  description: 'Signum (Bernstein et al. 2018): sign of heavy-ball momentum, decoupled weight decay',
  defaults: { learningRate: 1e-4, beta: 0.9, weightDecay: 0, impl: 'reference' },
  create: (options = {}) => signum({ ...signumEntry.defaults, ...options }),
  reference: signumReference,
  variants: [{ options: { impl: 'fused' } }, { options: { impl: 'fused', weightDecay: 0.1, beta: 0.5 } }],
  invalid: [
    { options: { beta: 1 }, field: 'beta' },
    { options: { weightDecay: -1 }, field: 'weightDecay' },
  ],
};

registerOptimizer(signSGDEntry);
registerOptimizer(signumEntry);

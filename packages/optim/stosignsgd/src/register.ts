// Side-effect entry: `import '@unbiased/optim-stosignsgd/register'` registers the StoSign optimizers
// (`stosignsgd`, `stosign-adam`, `stosign-lion`, `stosign-sgd`), the StoSignSGD experiments and the optimizers
// perf suite.
import { type OptimizerEntry, registerExperiment, registerOptimizer, registerPerfSuite } from '@unbiased/core';
import { stoSignExperiments } from './experiments/index.js';
import { optimizersPerfSuite } from './perf/optimizers-suite.js';
import { type StoSignAdamOptions, stoSignAdam } from './stosign-adam.js';
import { type StoSignLionOptions, stoSignLion } from './stosign-lion.js';
import { type StoSignPlainSGDOptions, stoSignPlainSGD } from './stosign-plain-sgd.js';
import { type StoSignSGDOptions, stoSignSGD } from './stosignsgd.js';

const packageName = '@unbiased/optim-stosignsgd';
// Shared registry defaults [I]: lr 1e-4 (Lion-like, 10x below AdamW's 1e-3), seed 0.
const sign = { envelope: 'coord', noiseScale: 1, mode: 'bounded', seed: 0 } as const;

/** Registry entry of {@link stoSignSGD}. */
export const stoSignSGDEntry: OptimizerEntry<StoSignSGDOptions> = {
  name: 'stosignsgd',
  packageName,
  description: 'StoSignSGD (Yu et al. 2026): unbiased stochastic sign of heavy-ball momentum, decoupled weight decay',
  defaults: { learningRate: 1e-4, beta1: 0.9, weightDecay: 0, ...sign, stateDtype: 'float32', impl: 'reference' },
  create: (options = {}) => stoSignSGD({ ...stoSignSGDEntry.defaults, ...options }),
};

/** Registry entry of {@link stoSignAdam}. */
export const stoSignAdamEntry: OptimizerEntry<StoSignAdamOptions> = {
  name: 'stosign-adam',
  packageName,
  description: "StoSign-Adam: the unbiased stochastic sign of Adam's direction through an envelope",
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0, ...sign },
  create: (options = {}) => stoSignAdam({ ...stoSignAdamEntry.defaults, ...options }),
};

/** Registry entry of {@link stoSignLion}. */
export const stoSignLionEntry: OptimizerEntry<StoSignLionOptions> = {
  name: 'stosign-lion',
  packageName,
  description: "StoSign-Lion: Lion's direction through the unbiased stochastic sign",
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.99, weightDecay: 0, ...sign },
  create: (options = {}) => stoSignLion({ ...stoSignLionEntry.defaults, ...options }),
};

/** Registry entry of {@link stoSignPlainSGD}. */
export const stoSignPlainSGDEntry: OptimizerEntry<StoSignPlainSGDOptions> = {
  name: 'stosign-sgd',
  packageName,
  description: 'StoSign-SGD: the unbiased stochastic sign of the raw gradient (StoSignSGD with beta1 = 0)',
  defaults: { learningRate: 1e-4, weightDecay: 0, ...sign, stateDtype: 'float32' },
  create: (options = {}) => stoSignPlainSGD({ ...stoSignPlainSGDEntry.defaults, ...options }),
};

for (const entry of [stoSignSGDEntry, stoSignAdamEntry, stoSignLionEntry, stoSignPlainSGDEntry]) registerOptimizer(entry);
for (const experiment of stoSignExperiments) registerExperiment(experiment);
registerPerfSuite(optimizersPerfSuite);

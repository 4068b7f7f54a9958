// Side-effect entry: `import '@unbiased/optim-stosignsgd/register'` registers the StoSign optimizers
// (`stosignsgd`, `stosign-adam`, `stosign-lion`, `stosign-sgd`) and the StoSignSGD experiments.
import { type InvalidOptionsExample, type OptimizerEntry, registerExperiment, registerOptimizer } from '@unbiased/core';
import { stoSignExperiments } from './experiments/index.js';
import type { StoSignOptions } from './options.js';
import { stoSignAdamReference, stoSignLionReference, stoSignPlainSGDReference, stoSignSGDReference } from './reference.js';
import { type StoSignAdamOptions, stoSignAdam } from './stosign-adam.js';
import { type StoSignLionOptions, stoSignLion } from './stosign-lion.js';
import { type StoSignPlainSGDOptions, stoSignPlainSGD } from './stosign-plain-sgd.js';
import { type StoSignSGDOptions, stoSignSGD } from './stosignsgd.js';

const packageName = '@unbiased/optim-stosignsgd';
// Shared registry defaults (inferred, the paper gives none): lr 1e-4 (Lion-like, 10x below AdamW's 1e-3), seed 0.
const sign = { envelope: 'coord', noiseScale: 1, mode: 'bounded', seed: 0 } as const;
// Bad sign options every StoSign recipe must reject, naming the field.
const invalidSign: InvalidOptionsExample<StoSignOptions>[] = [
  { options: { envelope: 'row' }, field: 'envelope' },
  { options: { noiseScale: -1 }, field: 'noiseScale' },
  { options: { mode: 'unbiased' }, field: 'mode' },
  { options: { seed: -1 }, field: 'seed' },
];

/** Registry entry of {@link stoSignSGD}. */
export const stoSignSGDEntry: OptimizerEntry<StoSignSGDOptions> = {
  name: 'stosignsgd',
  packageName,
  description: 'StoSignSGD (Yu et al. 2026): unbiased stochastic sign of heavy-ball momentum, decoupled weight decay',
  defaults: { learningRate: 1e-4, beta1: 0.9, weightDecay: 0, ...sign, stateDtype: 'float32', impl: 'reference' },
  create: (options = {}) => stoSignSGD({ ...stoSignSGDEntry.defaults, ...options }),
  reference: stoSignSGDReference,
  variants: [
    { options: { impl: 'fused' } },
    { options: { stateDtype: 'bf16' } },
    { options: { impl: 'fused', stateDtype: 'bf16', weightDecay: 0.1 } },
    { options: { mode: 'restored', envelope: 'ema-max', seed: 7 } },
    { options: { envelope: 'tensor', noiseScale: 2 } },
  ],
  invalid: [...invalidSign, { options: { beta1: 1 }, field: 'beta1' }, { options: { stateDtype: 'fp16' }, field: 'stateDtype' }],
};

/** Registry entry of {@link stoSignAdam}. */
export const stoSignAdamEntry: OptimizerEntry<StoSignAdamOptions> = {
  name: 'stosign-adam',
  packageName,
  description: "StoSign-Adam: the unbiased stochastic sign of Adam's direction through an envelope",
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.999, eps: 1e-8, weightDecay: 0, ...sign },
  create: (options = {}) => stoSignAdam({ ...stoSignAdamEntry.defaults, ...options }),
  reference: stoSignAdamReference,
  variants: [{ options: { mode: 'restored', weightDecay: 0.1, adamImpl: 'reference' } }],
  invalid: [...invalidSign, { options: { b2: 1 }, field: 'b2' }, { options: { eps: -1 }, field: 'eps' }],
};

/** Registry entry of {@link stoSignLion}. */
export const stoSignLionEntry: OptimizerEntry<StoSignLionOptions> = {
  name: 'stosign-lion',
  packageName,
  description: "StoSign-Lion: Lion's direction through the unbiased stochastic sign",
  defaults: { learningRate: 1e-4, b1: 0.9, b2: 0.99, weightDecay: 0, ...sign },
  create: (options = {}) => stoSignLion({ ...stoSignLionEntry.defaults, ...options }),
  reference: stoSignLionReference,
  variants: [{ label: 'noiseScale 0 (Lion), wd 0.1', options: { noiseScale: 0, weightDecay: 0.1 } }],
  invalid: [...invalidSign, { options: { b1: -0.5 }, field: 'b1' }],
};

/** Registry entry of {@link stoSignPlainSGD}. */
export const stoSignPlainSGDEntry: OptimizerEntry<StoSignPlainSGDOptions> = {
  name: 'stosign-sgd',
  packageName,
  description: 'StoSign-SGD: the unbiased stochastic sign of the raw gradient (StoSignSGD with beta1 = 0)',
  defaults: { learningRate: 1e-4, weightDecay: 0, ...sign, stateDtype: 'float32' },
  create: (options = {}) => stoSignPlainSGD({ ...stoSignPlainSGDEntry.defaults, ...options }),
  reference: stoSignPlainSGDReference,
  variants: [{ options: { stateDtype: 'bf16', weightDecay: 0.1 } }, { options: { envelope: 'tensor' } }],
  invalid: [...invalidSign, { options: { weightDecay: -1 }, field: 'weightDecay' }],
};

registerOptimizer(stoSignSGDEntry);
registerOptimizer(stoSignAdamEntry);
registerOptimizer(stoSignLionEntry);
registerOptimizer(stoSignPlainSGDEntry);
for (const experiment of stoSignExperiments) registerExperiment(experiment);

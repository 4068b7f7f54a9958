export { type ResolvedSignOptions, type StepMode, type StoSignOptions, signConversionOptions } from './options.js';
export { stoSignSGDOptimizer } from './optimizer.js';
export { type StoSignAdamOptions, stoSignAdam } from './stosign-adam.js';
export { type StoSignLionOptions, stoSignLion } from './stosign-lion.js';
export { type StoSignPlainSGDOptions, stoSignPlainSGD } from './stosign-plain-sgd.js';
export { type StoSignSGDOptions, stoSignSGD } from './stosignsgd.js';

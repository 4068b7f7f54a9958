export { checkSignImpl, constantWeightDecay, type SignImpl } from './fused.js';
export { type SignSGDOptions, signSGD } from './sign-sgd.js';
export { type SignumOptions, signum } from './signum.js';

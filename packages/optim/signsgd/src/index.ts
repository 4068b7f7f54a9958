export { type SignSGDOptions, signSGD } from './sign-sgd.js';
export { type SignumOptions, signum } from './signum.js';

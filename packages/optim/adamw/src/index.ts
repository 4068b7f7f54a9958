export { type AdamWOptions, adamw, decayAll, decayMatricesOnly } from './adamw.js';

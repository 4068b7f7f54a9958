export * from './decode.js';
export * from './split.js';
export * from './types.js';

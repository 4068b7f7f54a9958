export * from './decode.js';
export * from './fetch.js';
export * from './split.js';
export * from './types.js';

export * from './types.js';
export * from './click-noise.js';
export * from './position-based.js';
export * from './cascade.js';
export * from './user-browsing.js';
export * from './simulate.js';
export * from './randlist.js';

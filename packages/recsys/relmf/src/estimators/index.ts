export * from './estimator.js';
export * from './ideal.js';
export * from './naive.js';
export * from './rel-mf.js';
export * from './wmf.js';

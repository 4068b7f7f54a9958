export * from './coat.js';
export * from './movielens.js';
export type { LoaderOptions } from './text-lines.js';
export * from './yahoo-r3.js';

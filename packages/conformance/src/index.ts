export * from './checks.js';
export * from './problem.js';
export * from './quadratic-suite.js';
export * from './table.js';

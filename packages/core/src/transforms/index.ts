export * from './types.js';
export * from './tree.js';
export * from './combine.js';
export * from './schedules.js';
export * from './elementwise.js';
export * from './moments.js';
export * from './apply.js';
export * from './lion.js';

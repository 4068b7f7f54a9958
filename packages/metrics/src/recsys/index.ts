export type { SaitoOptions } from './common.js';
export * from './evaluate-by-user.js';
export * from './rare-items.js';
export * from './saito-dcg.js';
export * from './saito-map.js';
export * from './saito-recall.js';

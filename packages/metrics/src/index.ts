export * from './aggregate.js';
export * from './classification/accuracy.js';
export * from './classification/log-loss.js';
export * from './classification/roc-auc.js';
export * from './ranking/average-precision.js';
export * from './ranking/dcg.js';
export * from './ranking/err.js';
export type { DeterministicTieRule, NoRelevantRule, TieRule } from './ranking/order.js';
export * from './ranking/precision-recall.js';

export * from './disparity.js';
export { type FairnessOptions, type GroupConfusion, groupConfusionMatrices, privilegedSplit, selectionRates } from './group-confusion.js';

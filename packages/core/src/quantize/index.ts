export * from './bf16.js';
export * from './fp8.js';
export * from './state-dtype.js';

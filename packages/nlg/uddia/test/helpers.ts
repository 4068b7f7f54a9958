// Test helpers of @unbiased/nlg-uddia.
export { memorySnapshot, read, testBackend } from '../../../../tooling/vitest/backend.js';
export { expectUnbiasedError, thrown } from '../../../../tooling/vitest/assert.js';
export { mulberry32 as seeded } from '../../../../tooling/vitest/random.js';

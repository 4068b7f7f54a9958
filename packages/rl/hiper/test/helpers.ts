export { expectClose, expectUnbiasedError } from '../../../../tooling/vitest/assert.js';

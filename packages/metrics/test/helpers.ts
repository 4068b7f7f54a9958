import { expectClose as expectCloseTol } from '../../../tooling/vitest/assert.js';

export { expectUnbiasedError } from '../../../tooling/vitest/assert.js';

/** Both sides are float64; hand-computed expectations agree with the code to a few ulps. */
export const TOL = 1e-12;

/** `|actual - expected| <= tol` (default {@link TOL}); NaN matches NaN. */
export function expectClose(actual: number, expected: number, tol = TOL): void {
  expectCloseTol(actual, expected, tol);
}


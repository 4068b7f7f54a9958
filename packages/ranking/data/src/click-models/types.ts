/**
 * The contract every click model implements. Stable: `@unbiased/ultr-dla` builds on it.
 */
import type { Rng } from '@unbiased/core';

/**
 * A generative model of clicks on one displayed list.
 *
 * `relevance[i]` is the graded label of the document shown at rank `i + 1` (displayed order, not
 * sorted). `clickProbabilities` returns the marginal `P(c_i = 1)` of every rank; `sample` draws one
 * session's clicks (0/1 per rank) from the same distribution, consuming exactly `relevance.length`
 * uniforms from `rng` (so sessions are reproducible and independent of the click outcomes).
 */
export interface ClickModel {
  /** Short id: `'pbm'`, `'cascade'`, `'ubm'`. */
  name: string;
  /** Marginal click probability of each rank, `P(c_i = 1)`, for the list in displayed order. */
  clickProbabilities(relevance: ArrayLike<number>): Float64Array;
  /** One session: `1` where the document at that rank is clicked. */
  sample(relevance: ArrayLike<number>, rng: Rng): Uint8Array;
}

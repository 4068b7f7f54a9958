/**
 * User browsing model (UBM; Dupret & Piwowarski 2008): examination depends on the rank and on the
 * distance to the last click above it.
 */
import type { Rng } from '@unbiased/core';
import { arrayLength, badInput, invalidArgument, numberOption } from '../validate.js';
import { attractiveness, type ClickNoise, type ClickNoiseOptions, clickNoise } from './click-noise.js';
import type { ClickModel } from './types.js';

/**
 * Rank × distance examination table of ULTRA's `UserBrowsingModel` (`click_models.py`,
 * `original_rd_exam_table`): row r-1 holds ranks r = 1..10, column d-1 the distance d = r - r' to the
 * last click r' above (r' = 0 when nothing above was clicked, so column r-1 is "no click yet").
 */
export const ULTRA_UBM_EXAMINATION: readonly (readonly number[])[] = Object.freeze([
  [1.0],
  [0.98, 1.0],
  [1.0, 0.62, 0.95],
  [1.0, 0.77, 0.42, 0.82],
  [1.0, 0.92, 0.55, 0.31, 0.69],
  [1.0, 0.96, 0.63, 0.4, 0.22, 0.54],
  [1.0, 0.99, 0.73, 0.46, 0.29, 0.17, 0.47],
  [1.0, 1.0, 0.89, 0.52, 0.35, 0.24, 0.14, 0.43],
  [1.0, 1.0, 0.95, 0.68, 0.4, 0.29, 0.19, 0.12, 0.41],
  [1.0, 1.0, 1.0, 0.96, 0.52, 0.36, 0.27, 0.18, 0.12, 0.43],
]);

/**
 * Examination `gamma(r, d)` by 1-based rank r and distance d = r - r' to the last click r' above
 * (r' = 0, i.e. d = r, when nothing above was clicked):
 * - `'ultra'` (default): {@link ULTRA_UBM_EXAMINATION}; ranks beyond 10 reuse row 10 (as ULTRA: no
 *   click → its last column, distance d ≤ 9 → column d, else column 9).
 * - a triangular table: row r-1 has exactly r entries (distances 1..r), same extension rule.
 * - a function `(rank, distance) => probability`.
 */
export type UbmExamination = 'ultra' | ReadonlyArray<ArrayLike<number>> | ((rank: number, distance: number) => number);

export interface UserBrowsingOptions extends ClickNoiseOptions {
  /** Examination table or function; default `'ultra'`. */
  examination?: UbmExamination;
  /** Severity exponent: examination is `gamma(r, d)^eta`; default 1. */
  eta?: number;
}

function checkTable(table: ReadonlyArray<ArrayLike<number>>): Float64Array[] {
  const rows = arrayLength('examination', table);
  if (rows === 0) invalidArgument('examination', 'examination table must have at least one row');
  const out: Float64Array[] = [];
  for (let r = 0; r < rows; r++) {
    const row = table[r] as ArrayLike<number>;
    if (arrayLength(`examination[${r}]`, row) !== r + 1) {
      invalidArgument('examination', `examination[${r}] (rank ${r + 1}) must have ${r + 1} entries (distances 1..${r + 1}); got ${row.length}`);
    }
    const values = new Float64Array(r + 1);
    for (let d = 0; d <= r; d++) {
      const v = row[d];
      if (typeof v !== 'number' || !(v >= 0 && v <= 1)) invalidArgument('examination', `examination[${r}][${d}] must be a probability in [0, 1]; got ${String(v)}`);
      values[d] = v;
    }
    out.push(values);
  }
  return out;
}

/**
 * User browsing model: `P(c_r = 1 | clicks above) = gamma(r, r - r')^eta * a_r`, where r' is the last
 * clicked rank above r (0 if none) and `a = P(c = 1 | o = 1, y)` from the ε−/ε+ noise model (defaults
 * 0.1, 1.0, 4). When gamma does not depend on the distance, this is the position-based model.
 *
 * `clickProbabilities` is exact: a forward pass over the distribution of the last click position,
 * O(n^2) for a list of n. A session draws one uniform per rank.
 */
export class UserBrowsingModel implements ClickModel {
  readonly name = 'ubm';
  readonly noise: ClickNoise;
  private readonly table: Float64Array[] | null;
  private readonly fn: ((rank: number, distance: number) => number) | null;
  private readonly eta: number;

  constructor(options: UserBrowsingOptions = {}) {
    this.noise = clickNoise(options);
    this.eta = numberOption('eta', options.eta, 1, 0);
    const examination = options.examination ?? 'ultra';
    if (typeof examination === 'function') {
      this.fn = examination;
      this.table = null;
    } else if (examination === 'ultra') {
      this.fn = null;
      this.table = checkTable(ULTRA_UBM_EXAMINATION);
    } else if (typeof examination === 'object' && examination !== null) {
      this.fn = null;
      this.table = checkTable(examination);
    } else {
      invalidArgument('examination', `examination must be 'ultra', a triangular table or a function; got ${String(examination)}`);
    }
  }

  /** `gamma(rank, distance)^eta` for a 1-based `rank` and `distance` in 1..rank (`distance = rank`: no click above). */
  examinationAt(rank: number, distance: number): number {
    let gamma: number;
    if (this.fn !== null) {
      gamma = this.fn(rank, distance);
      if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) {
        badInput('examination', `examination(${rank}, ${distance}) must return a probability in [0, 1]; got ${String(gamma)}`);
      }
    } else {
      const table = this.table as Float64Array[];
      if (rank <= table.length) gamma = (table[rank - 1] as Float64Array)[distance - 1] as number;
      else {
        const last = table[table.length - 1] as Float64Array;
        const column = distance >= rank ? last.length - 1 : distance - 1 < last.length - 1 ? distance - 1 : Math.max(0, last.length - 2);
        gamma = last[column] as number;
      }
    }
    return gamma ** this.eta;
  }

  /** `P(c = 1 | o = 1, y_i)` per rank. */
  attractiveness(relevance: ArrayLike<number>): Float64Array {
    return attractiveness(relevance, this.noise);
  }

  clickProbabilities(relevance: ArrayLike<number>): Float64Array {
    const a = this.attractiveness(relevance);
    const n = a.length;
    // lastClick[j] = P(the last click above the current rank is at rank j), j = 0 (none) .. n.
    const lastClick = new Float64Array(n + 1);
    lastClick[0] = 1;
    const out = new Float64Array(n);
    for (let r = 1; r <= n; r++) {
      const ar = a[r - 1] as number;
      let clickMass = 0;
      for (let j = 0; j < r; j++) {
        const pj = lastClick[j] as number;
        if (pj === 0) continue;
        const q = this.examinationAt(r, r - j) * ar;
        clickMass += pj * q;
        lastClick[j] = pj * (1 - q);
      }
      lastClick[r] = clickMass;
      out[r - 1] = clickMass;
    }
    return out;
  }

  sample(relevance: ArrayLike<number>, rng: Rng): Uint8Array {
    const a = this.attractiveness(relevance);
    const u = rng.uniform(a.length);
    const clicks = new Uint8Array(a.length);
    let last = 0;
    for (let r = 1; r <= a.length; r++) {
      if ((u[r - 1] as number) < this.examinationAt(r, r - last) * (a[r - 1] as number)) {
        clicks[r - 1] = 1;
        last = r;
      }
    }
    return clicks;
  }
}

/** A {@link UserBrowsingModel}. */
export function userBrowsingModel(options: UserBrowsingOptions = {}): UserBrowsingModel {
  return new UserBrowsingModel(options);
}

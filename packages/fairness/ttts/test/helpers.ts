import { DecisionTree, type FeatureMatrix } from '../src/index.js';

export { expectClose, expectUnbiasedError } from '../../../../tooling/vitest/assert.js';

/** A matrix from rows. */
export function matrix(rows: number[][]): FeatureMatrix {
  const columns = rows[0]?.length ?? 0;
  return { rows: rows.length, columns, values: Float64Array.from(rows.flat()) };
}

/**
 * A hand-built depth-2 tree on 2 columns (A = column 0, x = column 1): root splits A at 0.5; the A = 0
 * side splits x at `t`, leaves with class-1 fractions `leaves` (left-left, left-right, right).
 */
export function handTree(t: number, leaves: [number, number, number], xRange = 10): DecisionTree {
  // nodes: 0 root (A <= 0.5), 1 = A=0 side (x <= t), 2 = leaf LL, 3 = leaf LR, 4 = leaf R (A = 1)
  const f0 = 0.5 * leaves[0] + 0.5 * leaves[1];
  return new DecisionTree(
    {
      feature: Int32Array.from([0, 1, -1, -1, -1]),
      threshold: Float64Array.from([0.5, t, Number.NaN, Number.NaN, Number.NaN]),
      left: Int32Array.from([1, 2, -1, -1, -1]),
      right: Int32Array.from([4, 3, -1, -1, -1]),
      positiveFraction: Float64Array.from([(f0 + leaves[2]) / 2, f0, leaves[0], leaves[1], leaves[2]]),
      samples: Int32Array.from([40, 20, 10, 10, 20]),
      depth: Int32Array.from([0, 1, 2, 2, 1]),
    },
    2,
    Float64Array.from([1, xRange]),
  );
}

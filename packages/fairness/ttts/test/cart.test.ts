import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@unbiased/core';
import { type DecisionTree, fitDecisionTree, fitRandomForest } from '../src/index.js';
import { expectClose, expectUnbiasedError, matrix } from './helpers.js';

/** Weighted Gini impurity of a split, float64, written out. */
function splitImpurity(labels: number[], goesLeft: boolean[]): number {
  const gini = (ys: number[]): number => {
    if (ys.length === 0) return 0;
    const p = ys.filter((y) => y === 1).length / ys.length;
    return 1 - p * p - (1 - p) * (1 - p);
  };
  const l = labels.filter((_, i) => goesLeft[i]);
  const r = labels.filter((_, i) => !goesLeft[i]);
  return (l.length * gini(l) + r.length * gini(r)) / labels.length;
}

/** Brute-force best root split: every feature, every midpoint between consecutive distinct values. */
function bestRootImpurity(rows: number[][], labels: number[], minLeaf: number): number {
  let best = Number.POSITIVE_INFINITY;
  const columns = rows[0]?.length ?? 0;
  for (let f = 0; f < columns; f++) {
    const distinct = [...new Set(rows.map((r) => r[f] as number))].sort((a, b) => a - b);
    for (let k = 0; k + 1 < distinct.length; k++) {
      const t = ((distinct[k] as number) + (distinct[k + 1] as number)) / 2;
      const goesLeft = rows.map((r) => (r[f] as number) <= t);
      const nl = goesLeft.filter(Boolean).length;
      if (nl < minLeaf || rows.length - nl < minLeaf) continue;
      best = Math.min(best, splitImpurity(labels, goesLeft));
    }
  }
  return best;
}

function leaves(tree: DecisionTree): number[] {
  return Array.from({ length: tree.nodeCount }, (_, i) => i).filter((i) => (tree.feature[i] as number) < 0);
}

const dataset = fc
  .integer({ min: 4, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
      fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
      fc.integer({ min: 1, max: 4 }),
    ),
  );

describe('CART', () => {
  it('a hand-checked split: x <= 2.5 separates the labels', () => {
    const tree = fitDecisionTree(matrix([[1], [2], [3], [4]]), [0, 0, 1, 1], { minSamplesLeaf: 1 });
    expect(tree.node(0)).toMatchObject({ feature: 0, threshold: 2.5, samples: 4, distribution: [0.5, 0.5] });
    expect(tree.node(tree.node(0).left).distribution).toEqual([1, 0]);
    expect(Array.from(tree.predictProba(matrix([[2.5], [2.6]])))).toEqual([0, 1]);
  });
  it('root split has the brute-force minimal Gini impurity; leaves respect minSamplesLeaf; counts add up', () => {
    fc.assert(
      fc.property(dataset, ([rows, labels, minLeaf]) => {
        const tree = fitDecisionTree(matrix(rows), labels, { minSamplesLeaf: minLeaf });
        const best = bestRootImpurity(rows, labels, minLeaf);
        const pure = labels.every((y) => y === labels[0]);
        if (pure || !Number.isFinite(best)) {
          expect(tree.nodeCount).toBe(1);
          return;
        }
        const root = tree.node(0);
        const goesLeft = rows.map((r) => (r[root.feature] as number) <= root.threshold);
        expectClose(splitImpurity(labels, goesLeft), best, 1e-12);
        for (const leaf of leaves(tree)) expect(tree.samples[leaf]).toBeGreaterThanOrEqual(minLeaf);
        for (let i = 0; i < tree.nodeCount; i++) {
          const node = tree.node(i);
          if (node.feature < 0) continue;
          expect(tree.samples[node.left]! + tree.samples[node.right]!).toBe(node.samples);
        }
        // each row's leaf holds the class fraction of the training rows routed there
        const leafOf = tree.apply(matrix(rows));
        for (const leaf of leaves(tree)) {
          const ys = labels.filter((_, i) => leafOf[i] === leaf);
          expect(ys.length).toBe(tree.samples[leaf]);
          expectClose(tree.positiveFraction[leaf] as number, ys.filter((y) => y === 1).length / ys.length, 1e-15);
        }
      }),
    );
  });
  it('maxDepth bounds the depth', () => {
    const rng = Rng.fromSeed(5);
    const x = rng.normal(400);
    const rows = Array.from({ length: 200 }, (_, i) => [x[2 * i] as number, x[2 * i + 1] as number]);
    const labels = rows.map((r) => ((r[0] as number) * (r[1] as number) > 0 ? 1 : 0));
    expect(fitDecisionTree(matrix(rows), labels, { minSamplesLeaf: 1, maxDepth: 2 }).maxDepth).toBe(2);
    expect(fitDecisionTree(matrix(rows), labels, { minSamplesLeaf: 1 }).maxDepth).toBeGreaterThan(2);
  });
  it('bad input is typed', () => {
    expectUnbiasedError(() => fitDecisionTree(matrix([[1], [Number.NaN]]), [0, 1]), 'NON_FINITE', 'x');
    expectUnbiasedError(() => fitDecisionTree(matrix([[1], [2]]), [0, 2]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => fitDecisionTree(matrix([[1], [2]]), [0]), 'SHAPE_MISMATCH', 'labels');
    expectUnbiasedError(() => fitDecisionTree(matrix([[1], [2]]), [0, 1], { minSamplesLeaf: 0 }), 'INVALID_HYPERPARAMETER', 'minSamplesLeaf');
    expectUnbiasedError(() => fitDecisionTree(matrix([[1], [2]]), [0, 1]).node(7), 'INVALID_ARGUMENT', 'id');
  });
});

describe('random forest', () => {
  const rng = Rng.fromSeed(11);
  const z = rng.normal(300 * 4);
  const rows = Array.from({ length: 300 }, (_, i) => [0, 1, 2, 3].map((j) => z[4 * i + j] as number));
  const labels = rows.map((r) => ((r[0] as number) + 0.5 * (r[1] as number) > 0 ? 1 : 0));
  it('is reproducible from its seed, and tree k does not depend on the forest size', () => {
    const a = fitRandomForest(matrix(rows), labels, { trees: 3, rng: 4, minSamplesLeaf: 5 });
    const b = fitRandomForest(matrix(rows), labels, { trees: 5, rng: 4, minSamplesLeaf: 5 });
    const c = fitRandomForest(matrix(rows), labels, { trees: 3, rng: 5, minSamplesLeaf: 5 });
    for (let k = 0; k < 3; k++) {
      expect(Array.from(b.trees[k]!.threshold)).toEqual(Array.from(a.trees[k]!.threshold));
    }
    expect(Array.from(c.trees[0]!.threshold)).not.toEqual(Array.from(a.trees[0]!.threshold));
  });
  it('predictProba is the mean of the trees', () => {
    const forest = fitRandomForest(matrix(rows), labels, { trees: 4, minSamplesLeaf: 5 });
    const x = matrix(rows.slice(0, 20));
    const mean = new Float64Array(20);
    for (const tree of forest.trees) tree.predictProba(x).forEach((p, i) => {
      mean[i] = (mean[i] as number) + p / 4;
    });
    forest.predictProba(x).forEach((p, i) => {
      expectClose(p, mean[i] as number, 1e-15);
    });
  });
  it('bootstrap: every tree sees n drawn rows', () => {
    const forest = fitRandomForest(matrix(rows), labels, { trees: 2, minSamplesLeaf: 5 });
    for (const tree of forest.trees) expect(tree.samples[0]).toBe(300);
  });
});

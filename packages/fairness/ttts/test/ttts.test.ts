import { describe, expect, it } from 'vitest';
import {
  buildFoldMatrices,
  type FeatureMatrix,
  fitDecisionTree,
  fitRandomForest,
  generateAdultLike,
  labelsFromProba,
  predictProbaExact,
  predictProbaMonteCarlo,
} from '../src/index.js';
import { expectClose, expectUnbiasedError, handTree, matrix } from './helpers.js';

// Hand tree (helpers.ts): root splits A (column 0) at 0.5, the A = 0 child splits x (column 1) at t = 10,
// leaves LL = 0.2, LR = 0.6, R (A = 1) = 0.8. D = max|t| = 10; the left child (0.4) is more negative than R.
const LEAVES: [number, number, number] = [0.2, 0.6, 0.8];
const tree = handTree(10, LEAVES);

/** p = min(0.5, max(0, pMax − d / D)), written out. */
const flip = (pMax: number, d: number, D: number): number => Math.min(0.5, Math.max(0, pMax - d / D));

describe('exact path probabilities on a hand tree', () => {
  it('unprivileged row: the root flip is boosted by α, capped at 0.5', () => {
    for (const alpha of [1, 2, 5, 9, 20]) {
      for (const x of [7, 9.5, 10.2]) {
        const pRoot = Math.min(0.5, alpha * flip(0.1, 0.5, 10));
        const p1 = flip(0.1, Math.abs(x - 10), 10);
        // natural child at node 1: x <= 10 -> LL, else LR
        const [nat, other] = x <= 10 ? [LEAVES[0], LEAVES[1]] : [LEAVES[1], LEAVES[0]];
        const expected = (1 - pRoot) * ((1 - p1) * nat + p1 * other) + pRoot * LEAVES[2];
        const got = predictProbaExact(tree, matrix([[0, x]]), { protectedFeature: 0, alpha })[0] as number;
        expectClose(got, expected, 1e-15);
      }
    }
  });
  it('privileged row: no boost', () => {
    const p1 = flip(0.1, 0.5, 10);
    const expected = 0.95 * LEAVES[2] + 0.05 * ((1 - p1) * LEAVES[0] + p1 * LEAVES[1]);
    for (const alpha of [1, 9]) expectClose(predictProbaExact(tree, matrix([[1, 9.5]]), { protectedFeature: 0, alpha })[0] as number, expected, 1e-15);
  });
  it('perFeatureRange: D_x = range of x; the protected node gets p = pMax', () => {
    const ranged = handTree(10, LEAVES, 4);
    const pRoot = Math.min(0.5, 3 * 0.1);
    const p1 = flip(0.1, 0.2, 4);
    const expected = (1 - pRoot) * ((1 - p1) * LEAVES[0] + p1 * LEAVES[1]) + pRoot * LEAVES[2];
    const got = predictProbaExact(ranged, matrix([[0, 9.8]]), { protectedFeature: 0, alpha: 3, distanceNorm: 'perFeatureRange' })[0] as number;
    expectClose(got, expected, 1e-15);
  });
});

/** Adult-like data with the fnlwgt-like column, fold matrices: train on 1,500 rows, test on 300. */
function adultLike(noiseColumn: 'fnlwgt' | 'unit' = 'fnlwgt'): { train: FeatureMatrix; test: FeatureMatrix; y: Uint8Array; a: number } {
  const data = generateAdultLike({ rows: 1800, rng: 3, noiseColumn });
  const train = Int32Array.from({ length: 1500 }, (_, i) => i);
  const test = Int32Array.from({ length: 300 }, (_, i) => 1500 + i);
  const m = buildFoldMatrices(data, train, test);
  return { train: m.train, test: m.test, y: data.labels.subarray(0, 1500), a: m.protectedFeature };
}

describe('TTTS / FairTTTS properties (spec of the FairTTTS reproduction)', () => {
  const d = adultLike();
  const dt = fitDecisionTree(d.train, d.y);
  const rf = fitRandomForest(d.train, d.y, { trees: 8, rng: 2 });
  const rows = (x: FeatureMatrix, keep: (r: number) => boolean): number[] => Array.from({ length: x.rows }, (_, r) => r).filter(keep);

  it('sanity: the tree splits on A and D is large (p_A = 0.1 before the boost)', () => {
    expect(Array.from(dt.feature).filter((f) => f === d.a).length).toBeGreaterThanOrEqual(1);
    expect(dt.maxAbsThreshold).toBeGreaterThan(100);
  });
  it('p_max = 0 gives the base model for any α (exact: bit for bit; MC: same leaves)', () => {
    for (const model of [dt, rf]) {
      const base = model.predictProba(d.test);
      for (const alpha of [1, 9, 100]) {
        expect(Array.from(predictProbaExact(model, d.test, { pMax: 0, alpha, protectedFeature: d.a }))).toEqual(Array.from(base));
        const mc = predictProbaMonteCarlo(model, d.test, { pMax: 0, alpha, protectedFeature: d.a, runs: 7, rng: 1 });
        // the mean of 7 equal doubles may differ from that double in the last bits
        mc.forEach((p, i) => {
          expectClose(p, base[i] as number, 1e-12);
        });
      }
    }
    const rfMc = predictProbaMonteCarlo(rf, d.test, { pMax: 0, alpha: 9, protectedFeature: d.a, rng: 1 });
    expect(Array.from(rfMc)).toEqual(Array.from(rf.predictProba(d.test)));
  });
  it('α = 1 equals distance TTTS (no protected attribute) bit for bit under the same seed', () => {
    for (const model of [dt, rf]) {
      const ttts = predictProbaMonteCarlo(model, d.test, { rng: 9, runs: 30 });
      expect(Array.from(predictProbaMonteCarlo(model, d.test, { rng: 9, runs: 30, alpha: 1, protectedFeature: d.a }))).toEqual(Array.from(ttts));
    }
  });
  it('privileged rows are identical for every α; unprivileged rows change', () => {
    const privileged = rows(d.test, (r) => d.test.values[r * d.test.columns + d.a] === 1);
    const unprivileged = rows(d.test, (r) => d.test.values[r * d.test.columns + d.a] === 0);
    for (const model of [dt, rf]) {
      const one = predictProbaMonteCarlo(model, d.test, { rng: 4, runs: 20, alpha: 1, protectedFeature: d.a });
      const nine = predictProbaMonteCarlo(model, d.test, { rng: 4, runs: 20, alpha: 9, protectedFeature: d.a });
      expect(privileged.map((r) => nine[r])).toEqual(privileged.map((r) => one[r]));
      expect(unprivileged.some((r) => nine[r] !== one[r])).toBe(true);
    }
  });
  it('a tree with no A split: FairTTTS ≡ TTTS', () => {
    const zeroed = { ...d.train, values: d.train.values.slice() };
    for (let r = 0; r < zeroed.rows; r++) zeroed.values[r * zeroed.columns + d.a] = 0;
    const noA = fitDecisionTree(zeroed, d.y);
    expect(Array.from(noA.feature)).not.toContain(d.a);
    const one = predictProbaMonteCarlo(noA, d.test, { rng: 4, runs: 20, alpha: 1, protectedFeature: d.a });
    expect(Array.from(predictProbaMonteCarlo(noA, d.test, { rng: 4, runs: 20, alpha: 9, protectedFeature: d.a }))).toEqual(Array.from(one));
  });
  it('unit-scale features (D ≈ 2): the 0/1 protected node never flips, so FairTTTS ≡ TTTS', () => {
    const u = adultLike('unit');
    const tree = fitDecisionTree(u.train, u.y);
    expect(tree.maxAbsThreshold).toBeLessThan(5);
    const one = predictProbaExact(tree, u.test, { alpha: 1, protectedFeature: u.a });
    expect(Array.from(predictProbaExact(tree, u.test, { alpha: 9, protectedFeature: u.a }))).toEqual(Array.from(one));
  });
  it('exact vs Monte Carlo at S = 20,000: max |diff| < 0.01', () => {
    const x = { rows: 60, columns: d.test.columns, values: d.test.values.subarray(0, 60 * d.test.columns) };
    for (const alpha of [1, 9]) {
      const exact = predictProbaExact(dt, x, { alpha, protectedFeature: d.a });
      const mc = predictProbaMonteCarlo(dt, x, { alpha, protectedFeature: d.a, runs: 20_000, rng: 12 });
      let worst = 0;
      exact.forEach((p, i) => {
        worst = Math.max(worst, Math.abs(p - (mc[i] as number)));
      });
      expect(worst).toBeLessThan(0.01);
    }
    const small = { rows: 12, columns: d.test.columns, values: d.test.values.subarray(0, 12 * d.test.columns) };
    const exactRf = predictProbaExact(rf, small, { alpha: 9, protectedFeature: d.a });
    const mcRf = predictProbaMonteCarlo(rf, small, { alpha: 9, protectedFeature: d.a, runs: 20_000, rng: 12 });
    exactRf.forEach((p, i) => {
      expect(Math.abs(p - (mcRf[i] as number))).toBeLessThan(0.01);
    });
  });
  it('labels: argmax with ties to class 0', () => {
    expect(Array.from(labelsFromProba([0.5, 0.5000001, 0.2, 1]))).toEqual([0, 1, 0, 1]);
  });
  it('bad input is typed', () => {
    expectUnbiasedError(() => predictProbaExact(dt, d.test, { alpha: 0.5, protectedFeature: d.a }), 'INVALID_HYPERPARAMETER', 'alpha');
    expectUnbiasedError(() => predictProbaMonteCarlo(dt, d.test, { alpha: 9 }), 'BAD_INPUT', 'protectedFeature');
    expectUnbiasedError(() => predictProbaExact(dt, d.test, { alpha: 9, protectedFeature: 99 }), 'BAD_INPUT', 'protectedFeature');
    // a non-binary protected column
    expectUnbiasedError(() => predictProbaExact(dt, d.test, { alpha: 9, protectedFeature: 0 }), 'BAD_INPUT', 'protectedFeature');
    const nan = { ...d.test, values: d.test.values.slice() };
    const used = dt.usedFeatures[0] as number;
    nan.values[5 * nan.columns + used] = Number.NaN;
    expectUnbiasedError(() => predictProbaExact(dt, nan, {}), 'NON_FINITE', 'x');
    expectUnbiasedError(() => predictProbaMonteCarlo(dt, nan, {}), 'NON_FINITE', 'x');
    expectUnbiasedError(() => dt.predictProba(nan), 'NON_FINITE', 'x');
    expectUnbiasedError(() => predictProbaMonteCarlo(dt, d.test, { runs: 0 }), 'INVALID_HYPERPARAMETER', 'runs');
    expectUnbiasedError(() => predictProbaExact(dt, d.test, { pMax: -0.1 }), 'INVALID_HYPERPARAMETER', 'pMax');
    expectUnbiasedError(() => predictProbaExact(dt, matrix([[1, 2]]), {}), 'SHAPE_MISMATCH', 'x');
  });
  it('NaN in a feature the tree never reads is routable', () => {
    // column 1 is constant in training, so no split reads it
    const fitted = fitDecisionTree(matrix([[1, 5], [2, 5], [3, 5], [4, 5]]), [0, 0, 1, 1], { minSamplesLeaf: 1 });
    expect(Array.from(fitted.usedFeatures)).toEqual([0]);
    const p = predictProbaExact(fitted, matrix([[3.5, Number.NaN]]), {});
    expect(Array.from(p)).toEqual([1]);
  });
});

import type { PerfCase, PerfInstance, PerfSuite } from '@unbiased/core';
import { generateAdultLike } from '../data/adult-like.js';
import { ADULT_CATEGORICAL, ADULT_NUMERIC, loadAdult } from '../data/adult.js';
import type { FeatureMatrix } from '../data/matrix.js';
import { buildFoldMatrices } from '../experiments/cross-validation.js';
import { predictProbaExact, predictProbaMonteCarlo } from '../traversal/predict.js';
import { fitDecisionTree } from '../tree/cart.js';
import { fitRandomForest, type RandomForest } from '../tree/random-forest.js';

/** Rows and trees of the prediction cases. */
export const FAIRNESS_PERF_ROWS = 10_000;
export const FAIRNESS_PERF_TREES = 30;

interface ForestFixture {
  forest: RandomForest;
  x: FeatureMatrix;
  protectedFeature: number;
}

function forestFixture(rows: number, trees: number): ForestFixture {
  const data = generateAdultLike({ rows, rng: 0 });
  const all = Int32Array.from({ length: rows }, (_, i) => i);
  const { train, protectedFeature } = buildFoldMatrices({ ...data }, all, all);
  return { forest: fitRandomForest(train, data.labels, { trees, rng: 1 }), x: train, protectedFeature };
}

function predictionInstance(fixture: ForestFixture, exact: boolean): PerfInstance {
  let sink = 0;
  return {
    step() {
      const options = { protectedFeature: fixture.protectedFeature, alpha: 9, pMax: 0.1 };
      const p = exact ? predictProbaExact(fixture.forest, fixture.x, options) : predictProbaMonteCarlo(fixture.forest, fixture.x, { ...options, runs: 100, rng: 7 });
      sink += p[0] as number;
    },
    async fence() {
      if (Number.isNaN(sink)) throw new Error('unreachable: probabilities are finite');
    },
    dispose() {},
  };
}

async function adultMatrix(): Promise<{ x: FeatureMatrix; labels: Uint8Array }> {
  const adult = await loadAdult();
  const all = Int32Array.from({ length: adult.rows }, (_, i) => i);
  const data = {
    rows: adult.rows,
    numeric: ADULT_NUMERIC.map((c) => adult.numeric[c]),
    categorical: ADULT_CATEGORICAL.map((c) => adult.categorical[c]),
    protectedAttribute: adult.sex,
    labels: adult.income,
  };
  return { x: buildFoldMatrices(data, all, all).train, labels: adult.income };
}

function fitInstance(data: { x: FeatureMatrix; labels: Uint8Array }, trees: number | null): PerfInstance {
  let sink = 0;
  return {
    step() {
      sink += trees === null ? fitDecisionTree(data.x, data.labels).nodeCount : fitRandomForest(data.x, data.labels, { trees, rng: 3 }).trees.length;
    },
    async fence() {
      if (sink < 0) throw new Error('unreachable');
    },
    dispose() {},
  };
}

/** The suite's cases at any size (the suite uses 10,000 rows and 30 trees; tests use small ones). */
export function fairnessPerfCases(rows = FAIRNESS_PERF_ROWS, trees = FAIRNESS_PERF_TREES, adult = true): PerfCase[] {
  let fixture: ForestFixture | undefined;
  const shared = (): ForestFixture => {
    fixture ??= forestFixture(rows, trees);
    return fixture;
  };
  const cases: PerfCase[] = [
    { name: `Monte Carlo S=100 (${trees} trees, ${rows} rows)`, n: rows, baseline: null, setup: async () => predictionInstance(shared(), false) },
    {
      name: `exact predictProba (${trees} trees, ${rows} rows)`,
      n: rows,
      baseline: `Monte Carlo S=100 (${trees} trees, ${rows} rows)`,
      setup: async () => predictionInstance(shared(), true),
    },
  ];
  if (adult) {
    let matrix: Promise<{ x: FeatureMatrix; labels: Uint8Array }> | undefined;
    const data = () => {
      matrix ??= adultMatrix();
      return matrix;
    };
    cases.push(
      { name: 'fit DT on Adult (32,561 rows)', n: 32_561, baseline: null, setup: async () => fitInstance(await data(), null) },
      { name: 'fit RF 30 trees on Adult (32,561 rows)', n: 32_561, baseline: 'fit DT on Adult (32,561 rows)', setup: async () => fitInstance(await data(), 30) },
    );
  }
  return cases;
}

/**
 * `unbiased perf fairness`: FairTTTS predictions of a 30-tree forest (fitted on 10,000 Adult-like rows) for
 * the same 10,000 rows, exact path probabilities vs Monte Carlo with S = 100 runs per tree (goal: exact
 * within 2× of the MC time); and CART / RF fitting on the real Adult split (32,561 rows, 14 columns).
 */
export const fairnessPerfSuite: PerfSuite = {
  id: 'fairness',
  title: 'FairTTTS: exact vs Monte Carlo predictions (30 trees, 10k rows); tree fitting on Adult',
  packageName: '@unbiased/fair-ttts',
  cases: () => fairnessPerfCases(),
};

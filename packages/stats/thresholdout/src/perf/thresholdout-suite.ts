import { type PerfCase, type PerfInstance, type PerfSuite, Rng } from '@unbiased/core';
import { Thresholdout } from '../thresholdout.js';

/** Rows per set and queries per step: n = d = 10,000 as in the Science experiment. */
export const THRESHOLDOUT_PERF_ROWS = 10_000;
export const THRESHOLDOUT_PERF_QUERIES = 10_000;

interface SharedData {
  train: Float32Array;
  holdout: Float32Array;
  users: number;
}

const shared = new Map<string, SharedData>();

/** Per-row query values in [0, 1), row-major rows x queries, float32 to halve memory (0.4 GB per set). */
function fill(rng: Rng, rows: number, queries: number): Float32Array {
  const out = new Float32Array(rows * queries);
  for (let i = 0; i < rows; i++) out.set(rng.uniform(queries), i * queries);
  return out;
}

function acquire(rows: number, queries: number): SharedData {
  const key = `${rows}x${queries}`;
  let data = shared.get(key);
  if (!data) {
    const rng = Rng.fromSeed(0).fold('stats-thresholdout-perf');
    data = { train: fill(rng.fold('train'), rows, queries), holdout: fill(rng.fold('holdout'), rows, queries), users: 0 };
    shared.set(key, data);
  }
  data.users++;
  return data;
}

function release(rows: number, queries: number): void {
  const key = `${rows}x${queries}`;
  const data = shared.get(key);
  if (data && --data.users === 0) shared.delete(key);
}

function mechanism(): Thresholdout {
  return new Thresholdout({ threshold: 0.04, sigma: 0.01, budget: Infinity, noise: 'laplace', rng: 0, record: false });
}

function instance(rows: number, queries: number, vectorised: boolean): PerfInstance {
  const data = acquire(rows, queries);
  const trainColumn = new Float64Array(rows);
  const holdoutColumn = new Float64Array(rows);
  let sink = 0;
  return {
    step() {
      const thresholdout = mechanism();
      if (vectorised) {
        const answers = thresholdout.answerQueryMatrix({ values: data.train, queries }, { values: data.holdout, queries });
        sink += answers[answers.length - 1] ?? 0;
        return;
      }
      for (let j = 0; j < queries; j++) {
        for (let i = 0; i < rows; i++) {
          trainColumn[i] = data.train[i * queries + j] as number;
          holdoutColumn[i] = data.holdout[i * queries + j] as number;
        }
        sink += thresholdout.answerValues(trainColumn, holdoutColumn, j) ?? 0;
      }
    },
    async fence() {
      if (Number.isNaN(sink)) throw new Error('unreachable: answers are finite');
    },
    dispose() {
      release(rows, queries);
    },
  };
}

/**
 * `unbiased perf stats-thresholdout`: Thresholdout answering 10,000 queries on n = 10,000 training and
 * 10,000 holdout rows (per-row query values, float32, ~0.8 GB shared by both cases). The vectorised case
 * reduces both matrices to column means in one row-major pass and answers them with `answerMany`; the
 * baseline walks the queries one at a time (strided column gather + `answerValues`). Both give the same answers.
 */
export const thresholdoutPerfSuite: PerfSuite = {
  id: 'stats-thresholdout',
  title: 'Thresholdout: 10,000 queries on n = d = 10,000 (vectorised vs scalar loop)',
  packageName: '@unbiased/stats-thresholdout',
  cases: () => thresholdoutPerfCases(),
};

/** The suite's two cases at any size (the suite uses 10,000 x 10,000; tests use small ones). */
export function thresholdoutPerfCases(rows = THRESHOLDOUT_PERF_ROWS, queries = THRESHOLDOUT_PERF_QUERIES): PerfCase[] {
  return [
    { name: 'scalar loop', n: queries, baseline: null, bytesPerStep: 2 * 4 * rows * queries, setup: async () => instance(rows, queries, false) },
    {
      name: 'vectorised (answerQueryMatrix)',
      n: queries,
      baseline: 'scalar loop',
      bytesPerStep: 2 * 4 * rows * queries,
      setup: async () => instance(rows, queries, true),
    },
  ];
}

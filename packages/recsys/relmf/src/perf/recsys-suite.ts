/**
 * `unbiased perf recsys`: matrix-factorisation training throughput, in (user, item) pairs per step, at
 * batch 4,096 on a MovieLens-100K-sized model (943 users x 1,682 items, dim 10, biases, squared loss), on the
 * active backend, against the hand-written Float32Array SGD loop of `./sgd-loop.ts` in the same run (the
 * floor: no tfjs, no dispatch, sparse updates). Pairs per second = n / median step time; the harness
 * reports `ratio_vs_baseline` = step time / loop step time (goal on wasm: <= 2, i.e. >= 0.5x the loop).
 *
 * The tfjs cases upload a new batch every step (indices and estimator weights, as in training), compute
 * the loss and gradients with the fused kernel and apply a core transform through `TransformOptimizer`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  chain,
  type GradientTransformation,
  type PerfCase,
  type PerfInstance,
  type PerfSuite,
  Rng,
  scaleByAdam,
  scaleByLearningRate,
  TransformOptimizer,
} from '@unbiased/core';
import { naive } from '../estimators/naive.js';
import { MatrixFactorization } from '../model/matrix-factorization.js';
import { mfLossAndGradients, uploadBatch } from '../model/mf-objective.js';
import { type LoopParams, sgdLoopStep } from './sgd-loop.js';

/** The model and batch of the suite. */
export const RECSYS_PERF_SHAPE = { numUsers: 943, numItems: 1682, dim: 10, batchSize: 4096 } as const;

const LOOP_CASE = 'Float32Array SGD loop (floor)';
/**
 * Every case is timed over 10 steps per sample (one fence each) after 20 warm-up steps: a step is ~1 ms, so
 * single-step samples would mostly measure the fence, the timer and code the JIT has not optimised yet.
 */
const TIMING = { stepsPerSample: 10, warmup: 20 } as const;
const BATCHES = 8;
const LEARNING_RATE = 0.05;

interface HostBatch {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
}

/** Fixed pseudo-random batches (5% clicks), cycled by every case. */
function hostBatches(): HostBatch[] {
  const { numUsers, numItems, batchSize } = RECSYS_PERF_SHAPE;
  const rng = Rng.fromSeed(0).fold('recsys-perf');
  return Array.from({ length: BATCHES }, (_, b) => {
    const r = rng.fold(b);
    const u = r.fold('users').uniform(batchSize);
    const i = r.fold('items').uniform(batchSize);
    const y = r.fold('labels').uniform(batchSize);
    return {
      users: Int32Array.from(u, (x) => Math.floor(x * numUsers)),
      items: Int32Array.from(i, (x) => Math.floor(x * numItems)),
      labels: Float32Array.from(y, (x) => (x < 0.05 ? 1 : 0)),
    };
  });
}

function loopInstance(): PerfInstance {
  const { numUsers, numItems, dim } = RECSYS_PERF_SHAPE;
  const rng = Rng.fromSeed(0).fold('recsys-perf-model');
  const params: LoopParams = {
    dim,
    userEmbedding: Float32Array.from(rng.fold('user_embedding').normal(numUsers * dim, 0, 0.1)),
    itemEmbedding: Float32Array.from(rng.fold('item_embedding').normal(numItems * dim, 0, 0.1)),
    userBias: new Float32Array(numUsers),
    itemBias: new Float32Array(numItems),
    globalBias: new Float32Array(1),
  };
  const batches = hostBatches();
  const estimator = naive();
  let step = 0;
  let sink = 0;
  return {
    step() {
      const batch = batches[step++ % BATCHES] as HostBatch;
      const { positive, negative } = estimator.weights(batch.labels);
      sink += sgdLoopStep(params, { users: batch.users, items: batch.items, positive, negative }, { learningRate: LEARNING_RATE, l2: 1e-4 });
    },
    async fence() {
      if (Number.isNaN(sink)) throw new Error('the SGD loop diverged');
    },
    dispose() {},
  };
}

function tfjsInstance(transform: GradientTransformation): PerfInstance {
  const { numUsers, numItems, dim } = RECSYS_PERF_SHAPE;
  const model = new MatrixFactorization({ numUsers, numItems, dim, rng: Rng.fromSeed(0).fold('recsys-perf-model') });
  const optimizer = new TransformOptimizer(transform, { nonFinite: 'off' });
  const batches = hostBatches();
  const estimator = naive();
  let step = 0;
  return {
    step() {
      const host = batches[step++ % BATCHES] as HostBatch;
      const batch = uploadBatch(model, host.users, host.items, estimator.weights(host.labels));
      const { loss, grads } = mfLossAndGradients(model, batch, { l2: 1e-4 });
      optimizer.applyGradients(grads);
      tf.dispose([loss, ...Object.values(grads)]);
      batch.dispose();
    },
    async fence() {
      const probe = tf.slice(model.globalBias as tf.Tensor, 0, 1);
      await probe.data();
      probe.dispose();
    },
    dispose() {
      optimizer.dispose();
      model.dispose();
    },
  };
}

export const recsysPerfSuite: PerfSuite = {
  id: 'recsys',
  title: 'Matrix factorisation training, pairs per step at batch 4,096 (943 x 1,682, dim 10): fused tfjs kernel vs a Float32Array SGD loop',
  packageName: '@unbiased/recsys-relmf',
  cases(): PerfCase[] {
    const n = RECSYS_PERF_SHAPE.batchSize;
    return [
      { name: LOOP_CASE, n, baseline: null, ...TIMING, setup: async () => loopInstance() },
      { name: 'fused gradients + SGD (scaleByLearningRate)', n, baseline: LOOP_CASE, ...TIMING, setup: async () => tfjsInstance(scaleByLearningRate(LEARNING_RATE)) },
      {
        name: 'fused gradients + Adam (chain(scaleByAdam, scaleByLearningRate))',
        n,
        baseline: LOOP_CASE,
        ...TIMING,
        setup: async () => tfjsInstance(chain(scaleByAdam(), scaleByLearningRate(0.005))),
      },
    ];
  },
};

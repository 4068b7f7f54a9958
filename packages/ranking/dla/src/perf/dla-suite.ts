import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, Rng, type PerfCase, type PerfInstance, type PerfSuite } from '@unbiased/core';
import { positionBasedModel } from '@unbiased/ultr-data';
import { dlaLearner } from '../algorithms/dual-learning.js';
import { naiveLearner } from '../algorithms/naive.js';
import type { ClickLearner } from '../algorithms/types.js';
import { generateToyLtrData } from '../experiments/toy-data.js';
import { ClickStream } from '../experiments/toy-training.js';
import { linearRanker } from '../rankers/linear.js';
import { mlpRanker } from '../rankers/mlp.js';
import type { Ranker } from '../rankers/types.js';

/** Lists per training step in every case (DLA's batch size, Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation", SIGIR 2018). */
export const PERF_LISTS_PER_STEP = 256;
const LIST_SIZE = 10;
const FEATURES = 10;

type RankerKind = 'linear' | 'mlp';

/** One click batch of the toy on the device, a ranker and a learner, stepped on the same batch. */
async function learnerInstance(method: 'naive' | 'dla', rankerKind: RankerKind): Promise<PerfInstance> {
  await ensureGradients();
  const rng = Rng.fromSeed(2018);
  const data = generateToyLtrData(rng.fold('data'), { trainQueries: PERF_LISTS_PER_STEP, testQueries: 1 });
  const draw = new ClickStream(rng.fold('clicks'), data.train, LIST_SIZE, positionBasedModel()).next(PERF_LISTS_PER_STEP);
  const gathered = Float32Array.from({ length: draw.indices.length * LIST_SIZE * FEATURES }, (_, k) => {
    const b = Math.floor(k / (LIST_SIZE * FEATURES));
    return data.train.features[(draw.indices[b] as number) * LIST_SIZE * FEATURES + (k % (LIST_SIZE * FEATURES))] as number;
  });
  const batch = {
    features: tf.tensor3d(gathered, [PERF_LISTS_PER_STEP, LIST_SIZE, FEATURES]),
    clicks: tf.tensor2d(draw.clicks, [PERF_LISTS_PER_STEP, LIST_SIZE]),
    listWeights: tf.tensor1d(draw.listWeights),
  };
  const ranker: Ranker =
    rankerKind === 'linear' ? linearRanker({ featureDim: FEATURES }) : mlpRanker({ featureDim: FEATURES, rng: rng.fold('mlp') });
  const learner: ClickLearner = method === 'naive' ? naiveLearner({ ranker, nonFinite: 'off' }) : dlaLearner({ ranker, nonFinite: 'off' });
  const probeVariable = Object.values(ranker.variables)[0] as tf.Variable;
  return {
    step: () => learner.step(batch),
    async fence() {
      const probe = tf.tidy(() => tf.slice(tf.reshape(probeVariable, [-1]), [0], [1]));
      await probe.data();
      probe.dispose();
    },
    dispose() {
      learner.dispose();
      ranker.dispose();
      tf.dispose([batch.features, batch.clicks, batch.listWeights]);
    },
  };
}

function perfCase(method: 'naive' | 'dla', rankerKind: RankerKind): PerfCase {
  const rankerLabel = rankerKind === 'linear' ? 'linear ranker' : 'MLP [512,256,128] ranker';
  const name = `${method === 'dla' ? 'DLA' : 'naive'} step, ${rankerLabel}, ${PERF_LISTS_PER_STEP} lists x ${LIST_SIZE} docs x ${FEATURES} features`;
  return {
    name,
    n: PERF_LISTS_PER_STEP,
    baseline: method === 'dla' ? `naive step, ${rankerLabel}, ${PERF_LISTS_PER_STEP} lists x ${LIST_SIZE} docs x ${FEATURES} features` : null,
    setup: () => learnerInstance(method, rankerKind),
  };
}

/**
 * `unbiased perf ultr-dla`: training throughput of DLA (ranker + propensity logits, two Adagrad
 * optimizers with their gradient clips) against the naive click learner on the same batch, with the
 * linear toy ranker and the paper's MLP. `n` is the number of lists per step, so lists per second =
 * `n / median seconds`. The suite ignores `size`.
 */
export const dlaPerfSuite: PerfSuite = {
  id: 'ultr-dla',
  title: 'DLA training throughput (lists per step = n)',
  packageName: '@unbiased/ultr-dla',
  cases: () => [perfCase('naive', 'linear'), perfCase('dla', 'linear'), perfCase('naive', 'mlp'), perfCase('dla', 'mlp')],
};

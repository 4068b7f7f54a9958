import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, type PerfCase, type PerfInstance, type PerfSuite, Rng } from '@unbiased/core';
import { reservoirBuffer } from '../buffer/reservoir.js';
import { erLearner, uerLearner } from '../learners/replay.js';
import { mlpClassifier } from '../model/mlp.js';

/** Incoming and replayed examples per online step (10 + 10, the online-CL default). */
export const PERF_BATCH = 10;
const DIM = 196;
const CLASSES = 10;
const MEMORY = 200;

async function stepInstance(method: 'ER' | 'UER'): Promise<PerfInstance> {
  await ensureGradients();
  const rng = Rng.fromSeed(2023);
  const model = mlpClassifier({ inputDim: DIM, numClasses: CLASSES, rng: rng.fold('model') });
  const buffer = reservoirBuffer({ capacity: MEMORY, dim: DIM, rng: rng.fold('buffer') });
  const data = rng.fold('data');
  const fill = Float32Array.from(data.uniform(MEMORY * DIM));
  buffer.add(fill, Int32Array.from({ length: MEMORY }, (_, i) => i % CLASSES));
  const learner = (method === 'ER' ? erLearner : uerLearner)({ model, buffer });
  const x = Float32Array.from(data.uniform(PERF_BATCH * DIM));
  const y = Int32Array.from({ length: PERF_BATCH }, (_, i) => i % 2);
  return {
    step: () => learner.step(x, y),
    async fence() {
      const probe = tf.tidy(() => tf.slice(tf.reshape(model.head, [-1]), [0], [1]));
      await probe.data();
      probe.dispose();
    },
    dispose: () => model.dispose(),
  };
}

function perfCase(method: 'ER' | 'UER'): PerfCase {
  const shape = `MLP ${DIM}-100-100-${CLASSES}, ${PERF_BATCH} incoming + ${PERF_BATCH} replayed`;
  return {
    name: `${method} online step, ${shape}`,
    n: 2 * PERF_BATCH,
    baseline: method === 'UER' ? `ER online step, ${shape}` : null,
    stepsPerSample: 10,
    setup: () => stepInstance(method),
  };
}

/**
 * `unbiased perf continual`: one online step (retrieve 10 from a reservoir memory of 200, forward and
 * backward of the current and replay batches, SGD update, buffer insert) of ER and of UER (Lin et al., ACM
 * MM 2023), on the same batch and model. `n` counts the examples per step, so samples/s = n / median
 * seconds; the cases are timed in interleaved rounds and the UER row's ratio to ER is UER's overhead. Both
 * learners take the same path (one feature pass over the 20 stacked rows, one `h Wᵀ` matMul, the head's
 * closed-form gradient), so the ratio measures only what UER adds: the row and column inverse norms of its
 * cosine logits and their gradient terms (about 30 small kernels, 48 → 77 per step). Ignores `size`.
 */
export const continualPerfSuite: PerfSuite = {
  id: 'continual',
  title: 'Online continual step throughput, ER vs UER (samples per step = n)',
  packageName: '@unbiased/continual-uer',
  cases: () => [perfCase('ER'), perfCase('UER')],
};

import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { positionBasedModel } from '@unbiased/ultr-data';
import { it } from 'vitest';
import { dlaLearner, linearRanker, naiveLearner } from '../src/index.js';
import { generateToyLtrData } from '../src/experiments/toy-data.js';
import { ClickStream, clickBatchFromDraw, toyTensors } from '../src/experiments/toy-training.js';

it('dbg', async () => {
  await useBackend('cpu');
  const rng = Rng.fromSeed(1);
  const data = generateToyLtrData(rng, { trainQueries: 500, testQueries: 10 });
  const tensors = toyTensors(data);
  const stream = new ClickStream(rng, data.train, 10, positionBasedModel());
  for (const kind of ['naive', 'dla', 'dla-off']) {
    const ranker = linearRanker({ featureDim: 10 });
    const learner = kind === 'naive' ? naiveLearner({ ranker }) : dlaLearner({ ranker, nonFinite: kind === 'dla-off' ? 'off' : 'error' });
    for (let round = 0; round < 4; round++) {
      const t0 = performance.now();
      for (let s = 0; s < 100; s++) {
        const b = clickBatchFromDraw(tensors, stream.next(256), 10);
        learner.step(b);
        b.dispose();
      }
      await learner.flush();
      console.log(kind, round, ((performance.now() - t0) / 100).toFixed(2), 'ms/step', tf.memory().numTensors);
    }
    learner.dispose(); ranker.dispose();
  }
}, 300000);

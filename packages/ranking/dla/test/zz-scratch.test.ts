import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { positionBasedModel } from '@unbiased/ultr-data';
import { beforeAll, it } from 'vitest';
import { generateToyLtrData, productionNdcg } from '../src/experiments/toy-data.js';
import { toyTensors, trainOnToy, type ToyMethod } from '../src/experiments/toy-training.js';
import { fitExaminationExponent } from '../src/propensity/fit-exponent.js';
import { EYE_TRACKING_EXAMINATION } from '@unbiased/ultr-data';

beforeAll(async () => { await useBackend((process.env.BK ?? 'cpu') as 'cpu'); });

it('timing', async () => {
  const steps = Number(process.env.STEPS ?? 300);
  const eta = Number(process.env.ETA ?? 1);
  const seed = Number(process.env.SEED ?? 0);
  const rng = Rng.fromSeed(seed);
  let t0 = performance.now();
  const data = generateToyLtrData(rng.fold('data'), { trainQueries: Number(process.env.TQ ?? 2000), testQueries: 1000 });
  console.log('data', (performance.now() - t0).toFixed(0), 'ms; production', productionNdcg(data.test, 10).toFixed(4));
  const tensors = toyTensors(data);
  const model = positionBasedModel({ eta });
  const methods = (process.env.METHODS ?? 'naive,ipw-true,dla,oracle').split(',') as ToyMethod[];
  for (const method of methods) {
    t0 = performance.now();
    const r = await trainOnToy(data, tensors, { method, steps, batchSize: Number(process.env.BS ?? 256), evalEvery: Math.max(1, Math.floor(steps / 10)), clickModel: model, truePropensities: model.propensity, rng: rng.fold('train'), learningRate: Number(process.env.LR ?? 0.05), propensityLearningRate: Number(process.env.PLR ?? 0.05) });
    const eh = r.propensities && method !== 'naive' ? fitExaminationExponent(r.propensities, EYE_TRACKING_EXAMINATION) : NaN;
    console.log(method, 'ndcg', r.finalNdcg.toFixed(4), 'time', (performance.now() - t0).toFixed(0), 'ms', 'eta_hat', eh.toFixed(3), r.propensities ? Array.from(r.propensities, (x) => x.toFixed(3)).join(' ') : '', 'curve', r.curve.y.map((y) => y.toFixed(3)).join(' '));
  }
  tensors.dispose();
  console.log('tensors', tf.memory().numTensors);
}, 600_000);

import * as tf from '@tensorflow/tfjs-core';
import { chain, cosineDecaySchedule, Rng, scaleByAdam, scaleByLearningRate } from '@unbiased/core';
import { positionBasedModel } from '@unbiased/ultr-data';
import { describe, expect, it } from 'vitest';
import {
  type ClickBatch,
  type ClickLearner,
  clickWeightedSoftmaxLoss,
  dlaLearner,
  fitExaminationExponent,
  ipwLearner,
  irwEstimator,
  linearRanker,
  mlpRanker,
  naiveLearner,
  oracleLearner,
  pairwiseDebiasLearner,
  type Ranker,
  regressionEmLearner,
  scoreLists,
} from '../src/index.js';
import { expectAllClose, expectUnbiasedError, memorySnapshot, read, seeded, testBackend } from './helpers.js';

const TRUE_PROPENSITIES = [0.68, 0.61, 0.48, 0.34, 0.28, 0.2];

/** A batch of `b` lists of `l` positions and `d` features; positions >= `real` are padding holding garbage. */
function makeBatch(seed: number, b: number, l: number, d: number, real = l, clickRate = 0.3): { host: { features: number[]; clicks: number[] }; batch: ClickBatch & { relevance: tf.Tensor } } {
  const rand = seeded(seed);
  const features: number[] = [];
  const clicks: number[] = [];
  const mask: number[] = [];
  const relevance: number[] = [];
  for (let q = 0; q < b; q++) {
    for (let i = 0; i < l; i++) {
      const padded = i >= real;
      for (let j = 0; j < d; j++) features.push(padded ? (j % 2 === 0 ? Number.NaN : 1e6) : 2 * rand() - 1);
      clicks.push(padded ? 1 : rand() < clickRate ? 1 : 0);
      mask.push(padded ? 0 : 1);
      relevance.push(padded ? 4 : Math.floor(5 * rand()));
    }
  }
  return {
    host: { features, clicks },
    batch: {
      features: tf.tensor3d(features, [b, l, d]),
      clicks: tf.tensor2d(clicks, [b, l]),
      relevance: tf.tensor2d(relevance, [b, l]),
      ...(real < l ? { mask: tf.tensor2d(mask, [b, l]) } : {}),
    },
  };
}

/** The first `n` positions of a batch, without mask. */
function truncate(batch: ClickBatch & { relevance: tf.Tensor }, n: number): ClickBatch & { relevance: tf.Tensor } {
  const [b, , d] = batch.features.shape as [number, number, number];
  return {
    features: tf.slice(batch.features, [0, 0, 0], [b, n, d]),
    clicks: tf.slice(batch.clicks, [0, 0], [b, n]),
    relevance: tf.slice(batch.relevance, [0, 0], [b, n]),
  };
}

function disposeBatch(batch: ClickBatch & { relevance?: tf.Tensor }): void {
  tf.dispose([batch.features, batch.clicks, ...(batch.mask ? [batch.mask] : []), ...(batch.relevance ? [batch.relevance] : [])]);
}

type Kind = 'naive' | 'ipw' | 'dla' | 'dla-mlp-propensity' | 'regression-em' | 'regression-em-expected' | 'pairwise-debias';
const CLICK_KINDS: Kind[] = ['naive', 'ipw', 'dla', 'dla-mlp-propensity', 'regression-em', 'regression-em-expected', 'pairwise-debias'];

function makeLearner(kind: Kind, ranker: Ranker, listSize: number, seed = 1): ClickLearner {
  const rng = Rng.fromSeed(seed);
  switch (kind) {
    case 'naive':
      return naiveLearner({ ranker, listSize });
    case 'ipw':
      return ipwLearner({ ranker, listSize, propensities: TRUE_PROPENSITIES });
    case 'dla':
      return dlaLearner({ ranker, listSize });
    case 'dla-mlp-propensity':
      return dlaLearner({ ranker, listSize, propensityArchitecture: { hiddenUnits: [8, 4] }, rng: rng.fold('propensity') });
    case 'regression-em':
      return regressionEmLearner({ ranker, listSize, rng: rng.fold('em') });
    case 'regression-em-expected':
      return regressionEmLearner({ ranker, listSize, labels: 'expected' });
    case 'pairwise-debias':
      return pairwiseDebiasLearner({ ranker, listSize });
  }
}

async function readVariables(ranker: Ranker): Promise<number[]> {
  const out: number[] = [];
  for (const name of Object.keys(ranker.variables).sort()) out.push(...(await read(ranker.variables[name] as tf.Variable)));
  return out;
}

describe(`learners on ${testBackend}`, () => {
  it('every learner steps without leaking tensors and reports its propensities', async () => {
    const { batch } = makeBatch(3, 8, 6, 4, 5);
    for (const kind of [...CLICK_KINDS, 'oracle' as const]) {
      const ranker = mlpRanker({ featureDim: 4, rng: Rng.fromSeed(9), hiddenUnits: [6] });
      const learner = kind === 'oracle' ? oracleLearner({ ranker, listSize: 6 }) : makeLearner(kind, ranker, 6);
      const step = () => (kind === 'oracle' ? (learner as ReturnType<typeof oracleLearner>).step({ ...batch, relevance: batch.relevance }) : (learner as ClickLearner).step(batch));
      step();
      await learner.flush();
      const before = memorySnapshot();
      for (let t = 0; t < 3; t++) step();
      await learner.flush();
      expect(memorySnapshot(), kind).toEqual(before);
      if (kind !== 'oracle') {
        const p = await (learner as ClickLearner).propensities();
        expect(p.length).toBe(6);
        expect(p[0]).toBeCloseTo(1, 6);
        expect(Array.from(p).every((x) => Number.isFinite(x) && x > 0)).toBe(true);
      }
      learner.dispose();
      ranker.dispose();
    }
    disposeBatch(batch);
    expect(tf.memory().numTensors).toBe(0);
  });

  it('DLA: the ranker gets the gradient of L_rank only and the propensities that of L_exam only (stop-gradient)', async () => {
    const { batch } = makeBatch(5, 6, 5, 3, 4);
    const ranker = linearRanker({ featureDim: 3 });
    ranker.variables[Object.keys(ranker.variables)[0] as string]?.assign(tf.tensor2d([[0.8], [-0.5], [0.3]]));
    const learner = dlaLearner({ ranker, listSize: 5 });
    const gVariable = Object.values(learner.propensityModel.variables)[0] as tf.Variable;
    gVariable.assign(tf.tensor1d([0.2, -0.1, -0.6, -0.9, -1.5]));
    const all = [...Object.values(ranker.variables), gVariable];
    const { grads } = tf.variableGrads(() => learner.loss(batch), all);
    // The same losses with the weights computed on the host and passed in as constants.
    const g = await read(gVariable);
    const ipw = g.map((x) => Math.exp((g[0] as number) - x));
    const f = scoreLists(ranker, batch.features, batch.mask);
    const fv = await read(f);
    const irw = fv.map((x, k) => Math.exp((fv[k - (k % 5)] as number) - x));
    const wantRanker = tf.variableGrads(
      () => clickWeightedSoftmaxLoss(scoreLists(ranker, batch.features, batch.mask), batch.clicks, { mask: batch.mask as tf.Tensor, positionWeights: tf.tensor1d(ipw) }),
      Object.values(ranker.variables),
    ).grads;
    const wantExam = tf.variableGrads(
      () => clickWeightedSoftmaxLoss(tf.broadcastTo(tf.reshape(gVariable, [1, 5]), [6, 5]), batch.clicks, { mask: batch.mask as tf.Tensor, positionWeights: tf.tensor2d(irw, [6, 5]) }),
      [gVariable],
    ).grads;
    for (const name of Object.keys(wantRanker)) expectAllClose(await read(grads[name] as tf.Tensor), await read(wantRanker[name] as tf.Tensor), 1e-4, 1e-6);
    expectAllClose(await read(grads[gVariable.name] as tf.Tensor), await read(wantExam[gVariable.name] as tf.Tensor), 1e-4, 1e-6);
    tf.dispose([f, ...Object.values(grads), ...Object.values(wantRanker), ...Object.values(wantExam)]);
    learner.dispose();
    ranker.dispose();
    disposeBatch(batch);
  });

  it('a batch without clicks: loss 0 for the softmax learners, finite parameters for all', async () => {
    const { batch } = makeBatch(4, 5, 6, 3, 6, 0);
    for (const kind of CLICK_KINDS) {
      const ranker = linearRanker({ featureDim: 3, init: 'glorot', rng: Rng.fromSeed(2) });
      const learner = makeLearner(kind, ranker, 6);
      const loss = learner.loss(batch);
      const value = (await read(loss))[0] as number;
      loss.dispose();
      expect(Number.isFinite(value), kind).toBe(true);
      if (kind === 'naive' || kind === 'ipw' || kind.startsWith('dla')) expect(Math.abs(value), kind).toBe(0);
      learner.step(batch);
      await learner.flush();
      expect((await readVariables(ranker)).every(Number.isFinite), kind).toBe(true);
      expect(Array.from(await learner.propensities()).every(Number.isFinite), kind).toBe(true);
      learner.dispose();
      ranker.dispose();
    }
    disposeBatch(batch);
  });

  it('padded positions never change the training: a padded batch trains exactly like the truncated one', async () => {
    const { batch } = makeBatch(6, 6, 6, 3, 4, 0.4);
    const short = truncate(batch, 4);
    for (const kind of CLICK_KINDS.filter((k) => k !== 'regression-em')) {
      const results: number[][] = [];
      for (const b of [batch, short]) {
        const ranker = linearRanker({ featureDim: 3, init: 'glorot', rng: Rng.fromSeed(4) });
        const learner = makeLearner(kind, ranker, 6);
        const loss = learner.loss(b);
        const lossValue = await read(loss);
        loss.dispose();
        for (let t = 0; t < 2; t++) learner.step(b);
        await learner.flush();
        results.push([...lossValue, ...(await readVariables(ranker)), ...Array.from(await learner.propensities()).slice(0, 4)]);
        learner.dispose();
        ranker.dispose();
      }
      expect((results[0] as number[]).every(Number.isFinite), kind).toBe(true);
      // Same ops on the same real values; only reduction order over the extra zero entries may differ.
      expectAllClose(results[0] as number[], results[1] as number[], 1e-5, 1e-6);
    }
    disposeBatch(batch);
    disposeBatch(short);
  });

  it('the same seed gives the same numbers (MLP ranker, MLP propensities, sampled EM labels)', async () => {
    const { batch } = makeBatch(8, 6, 5, 4);
    const run = async (seed: number) => {
      const out: number[] = [];
      for (const kind of ['dla-mlp-propensity', 'regression-em'] as const) {
        const ranker = mlpRanker({ featureDim: 4, rng: Rng.fromSeed(seed).fold('ranker'), hiddenUnits: [8] });
        const learner = makeLearner(kind, ranker, 5, seed);
        for (let t = 0; t < 3; t++) learner.step(batch);
        await learner.flush();
        out.push(...(await readVariables(ranker)), ...(await learner.propensities()));
        learner.dispose();
        ranker.dispose();
      }
      return out;
    };
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    disposeBatch(batch);
  });

  it('IRW with the true relevance recovers the PBM propensities on a toy (closed form and eta)', async () => {
    // Spec 02 §1, property 4: random lists, y ~ U{0..4}, zero-click lists dropped. The minimiser of L_exam
    // with v_i = P(r_1)/P(r_i) is q ∝ sum_q c_q v_q (closed form, float64 here); trained on 2k lists the
    // estimator must reach it, and on the spec's 20k lists the closed form's eta_hat is within 0.05 of eta = 1.
    const l = 10;
    const model = positionBasedModel({ eta: 1 });
    const rng = Rng.fromSeed(7);
    const simulate = (lists: number) => {
      const grades = Float64Array.from({ length: lists * l }, () => rng.int(5));
      const attract = model.attractiveness(grades);
      const clicks = new Float32Array(lists * l);
      const listWeights = new Float32Array(lists);
      const sums = new Float64Array(l);
      for (let q = 0; q < lists; q++) {
        const session = model.sample(grades.subarray(q * l, (q + 1) * l), rng);
        clicks.set(session, q * l);
        listWeights[q] = session.some((c) => c === 1) ? 1 : 0;
        for (let i = 0; i < l; i++) sums[i] = (sums[i] as number) + (session[i] as number) * ((attract[q * l] as number) / (attract[q * l + i] as number));
      }
      return { attract, clicks, listWeights, closedForm: sums.map((s) => s / (sums[0] as number)) };
    };
    const lists = 2_000;
    const small = simulate(lists);
    const steps = 150;
    const estimator = irwEstimator({
      listSize: l,
      optimizer: () => chain(scaleByAdam(), scaleByLearningRate(cosineDecaySchedule({ init: 0.1, decaySteps: steps, alpha: 0.001 }))),
    });
    const batch = {
      clicks: tf.tensor2d(small.clicks, [lists, l]),
      relevanceLogits: tf.tensor2d(Float32Array.from(small.attract, Math.log), [lists, l]),
      listWeights: tf.tensor1d(small.listWeights),
    };
    for (let t = 0; t < steps; t++) estimator.step(batch);
    // Full-batch Adam with a cosine-decayed step reaches the minimiser to ~1e-3 relative.
    expectAllClose(await estimator.propensities(), small.closedForm, 5e-3, 0);
    estimator.dispose();
    tf.dispose(Object.values(batch));
    const etaHat = fitExaminationExponent(simulate(20_000).closedForm, model.examination(l));
    expect(Math.abs(etaHat - 1)).toBeLessThanOrEqual(0.05);
  });

  it('bad inputs throw UnbiasedError naming the field', () => {
    const ranker = linearRanker({ featureDim: 3 });
    const learner = dlaLearner({ ranker, listSize: 4 });
    const ok = { features: tf.zeros([2, 4, 3]), clicks: tf.zeros([2, 4]) };
    expectUnbiasedError(() => learner.step({ features: tf.zeros([2, 5, 3]), clicks: tf.zeros([2, 5]) }), 'LIST_TOO_LONG', 'features');
    expectUnbiasedError(() => learner.step({ ...ok, clicks: tf.zeros([2, 3]) }), 'SHAPE_MISMATCH', 'clicks');
    expectUnbiasedError(() => learner.step({ ...ok, features: tf.zeros([2, 4, 2]) }), 'SHAPE_MISMATCH', 'features');
    expectUnbiasedError(() => learner.step({ ...ok, mask: tf.ones([4, 2]) }), 'SHAPE_MISMATCH', 'mask');
    expectUnbiasedError(() => learner.step({ ...ok, listWeights: tf.ones([3]) }), 'SHAPE_MISMATCH', 'listWeights');
    expectUnbiasedError(() => learner.loss({ features: tf.zeros([8, 3]), clicks: tf.zeros([2, 4]) }), 'SHAPE_MISMATCH', 'features');
    expectUnbiasedError(() => ipwLearner({ ranker, propensities: [0.7, 0, 0.2] }), 'BAD_PROPENSITY', 'propensities[1]');
    expectUnbiasedError(() => ipwLearner({ ranker, propensities: [1.2, 0.5] }), 'BAD_PROPENSITY', 'propensities[0]');
    expectUnbiasedError(() => ipwLearner({ ranker, propensities: [0.5, -0.1] }), 'BAD_PROPENSITY', 'propensities[1]');
    const ipw = ipwLearner({ ranker, propensities: [0.7, 0.5] });
    expectUnbiasedError(() => ipw.step({ features: tf.zeros([1, 3, 3]), clicks: tf.zeros([1, 3]) }), 'LIST_TOO_LONG', 'features');
    expectUnbiasedError(() => dlaLearner({ ranker, listSize: 0 }), 'INVALID_HYPERPARAMETER', 'listSize');
    expectUnbiasedError(() => dlaLearner({ ranker, maxPropensityWeight: -1 }), 'INVALID_HYPERPARAMETER', 'maxPropensityWeight');
    expectUnbiasedError(() => regressionEmLearner({ ranker }), 'INVALID_ARGUMENT', 'rng');
    expectUnbiasedError(() => scoreLists(ranker, tf.zeros([2, 4, 5])), 'SHAPE_MISMATCH', 'features');
    ipw.dispose();
    learner.dispose();
    ranker.dispose();
    tf.disposeVariables();
  });
});

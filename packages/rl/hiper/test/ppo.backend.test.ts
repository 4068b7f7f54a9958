import * as tf from '@tensorflow/tfjs-core';
import { chain, getOptimizer, scaleByAdam, scaleByLearningRate, useBackend } from '@unbiased/core';
import '@unbiased/optim-adamw/register';
import { afterEach, describe, expect, it } from 'vitest';
import { clippedValueLoss, lowVarKL, type PPOBatch, PPOTrainer, ppoPolicyLoss, rlPerfCases, TinyTokenPolicy, tokenLogProbs } from '../src/index.js';
import { mulberry32 } from '../../../../tooling/vitest/random.js';
import { testBackend } from '../../../../tooling/vitest/backend.js';
import { expectUnbiasedError } from './helpers.js';

const seeded = mulberry32;

const float32 = (xs: number[]) => Array.from(Float32Array.from(xs));

async function read(t: tf.Tensor): Promise<number> {
  const value = (await t.data())[0] as number;
  t.dispose();
  return value;
}

describe('PPO losses against float64 references', () => {
  const rand = seeded(3);
  const n = 64;
  const logp = float32(Array.from({ length: n }, () => -3 * rand()));
  // Old log-probs within +-0.6 of the new ones: ratios from 0.55 to 1.8 cross both clip bounds.
  const oldLogp = float32(logp.map((x) => x + 1.2 * (rand() - 0.5)));
  const refLogp = float32(logp.map((x) => x + 2 * (rand() - 0.5)));
  const adv = float32(Array.from({ length: n }, () => 4 * (rand() - 0.5)));
  const mask = Array.from({ length: n }, () => (rand() < 0.8 ? 1 : 0));

  it('dual-clip policy loss (eps 0.2, c 3), token-mean over the mask', async () => {
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const ratio = Math.exp((logp[i] as number) - (oldLogp[i] as number));
      const a = adv[i] as number;
      const clippedRatio = Math.min(Math.max(ratio, 0.8), 1.2);
      let loss = Math.max(-a * ratio, -a * clippedRatio);
      if (a < 0) loss = Math.min(loss, -a * 3);
      sum += (mask[i] as number) * loss;
      count += mask[i] as number;
    }
    const got = await read(ppoPolicyLoss(tf.tensor1d(logp), tf.tensor1d(oldLogp), tf.tensor1d(adv), tf.tensor1d(mask)));
    // float32 arithmetic on O(1)-O(10) terms averaged over ~50 tokens: 1e-5 absolute.
    expect(Math.abs(got - sum / count)).toBeLessThan(1e-5);
  });

  it('low_var_kl (k3, clamped) and the clipped value loss', async () => {
    const klGot = await lowVarKL(tf.tensor1d(logp), tf.tensor1d(refLogp)).data();
    logp.forEach((x, i) => {
      const k = (refLogp[i] as number) - x;
      expect(Math.abs((klGot[i] as number) - Math.min(10, Math.exp(k) - k - 1))).toBeLessThan(1e-5);
    });
    const values = float32(adv.map((a) => a / 2));
    const oldValues = float32(values.map((v) => v + 2 * (rand() - 0.5)));
    const returns = float32(values.map(() => 2 * (rand() - 0.5)));
    let sum = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      const old = oldValues[i] as number;
      const clipped = old + Math.min(Math.max(v - old, -0.5), 0.5);
      const r = returns[i] as number;
      sum += (mask[i] as number) * Math.max((v - r) ** 2, (clipped - r) ** 2);
      count += mask[i] as number;
    }
    const got = await read(clippedValueLoss(tf.tensor1d(values), tf.tensor1d(oldValues), tf.tensor1d(returns), tf.tensor1d(mask)));
    expect(Math.abs(got - (0.5 * sum) / count)).toBeLessThan(1e-5);
  });

  it('token log-probabilities and entropies', async () => {
    const logits = [
      [0.5, -1, 2],
      [0, 0, 0],
    ];
    const { logProbs, entropy } = tokenLogProbs(tf.tensor3d([logits]), tf.tensor2d([[2, 0]], [1, 2], 'int32'));
    const lp = await logProbs.data();
    const ent = await entropy.data();
    tf.dispose([logProbs, entropy]);
    logits.forEach((row, t) => {
      const z = Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      const target = t === 0 ? 2 : 0;
      expect(Math.abs((lp[t] as number) - ((row[target] as number) - z))).toBeLessThan(1e-6);
      const h = -row.reduce((s, x) => s + Math.exp(x - z) * (x - z), 0);
      expect(Math.abs((ent[t] as number) - h)).toBeLessThan(1e-6);
    });
  });
});

function makeBatch(seed: number, B = 4, T = 6, H = 3): PPOBatch {
  const rand = seeded(seed);
  const tokens = Int32Array.from({ length: B * (T + 1) }, () => Math.floor(rand() * 11));
  const lossMask = Float32Array.from({ length: B * T }, (_, i) => (i % T >= 2 ? 1 : 0));
  const valueMask = Float32Array.from({ length: B * T * H }, (_, i) => (Math.floor(i / H) % T === 1 + (i % H) ? 1 : 0));
  return {
    batchSize: B,
    length: T,
    tokens,
    lossMask,
    advantages: Float32Array.from({ length: B * T }, () => 2 * rand() - 1),
    oldLogProbs: Float32Array.from({ length: B * T }, () => -2.4 + 0.2 * (rand() - 0.5)),
    refLogProbs: Float32Array.from({ length: B * T }, () => -2.4 + 0.2 * (rand() - 0.5)),
    returns: Float32Array.from({ length: B * T * H }, () => rand()),
    oldValues: Float32Array.from({ length: B * T * H }, () => 0.2 * (rand() - 0.5)),
    valueMask,
  };
}

function makeTrainer(): PPOTrainer {
  return new PPOTrainer({
    actor: new TinyTokenPolicy({ vocabSize: 11, hidden: 8, maxLength: 16, seed: 1, name: 'ppo-test-actor' }),
    critic: new TinyTokenPolicy({ vocabSize: 11, hidden: 8, maxLength: 16, seed: 2, name: 'ppo-test-critic' }),
    actorTransform: getOptimizer('adamw').create({ learningRate: 0.01 }),
    criticTransform: chain(scaleByAdam(), scaleByLearningRate(0.05)),
    epochs: 2,
  });
}

async function snapshot(trainer: PPOTrainer): Promise<Record<string, number[]>> {
  const checkpoint = await trainer.checkpoint();
  return Object.fromEntries(checkpoint.variables.map((v) => [v.name, Array.from(v.values)]));
}

function disposeTrainer(trainer: PPOTrainer): void {
  trainer.dispose();
  trainer.actor.dispose();
  trainer.critic.dispose();
}

describe('PPOTrainer', () => {
  afterEach(() => {
    // Every test disposes its models, so the variable names are free for the next one.
    expect(Object.keys(tf.engine().registeredVariables).filter((name) => name.startsWith('ppo-test'))).toEqual([]);
  });

  it('trains with a registered optimizer and a core chain, without leaking tensors, and lowers the value loss', async () => {
    const start = tf.memory().numTensors;
    const trainer = makeTrainer();
    const batch = makeBatch(7);
    const first = await trainer.update(batch);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 20; i++) last = await trainer.update(batch);
    expect(tf.memory().numTensors).toBe(before);
    expect(last.valueLoss).toBeLessThan(first.valueLoss);
    expect(last.tokens).toBe(24);
    expect(trainer.step).toBe(21);
    disposeTrainer(trainer);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('checkpoint and restore resume bit for bit', async () => {
    const batches = [1, 2, 3, 4].map((s) => makeBatch(s));
    const straight = makeTrainer();
    for (const batch of batches) await straight.update(batch);
    const expected = await snapshot(straight);
    disposeTrainer(straight);

    const first = makeTrainer();
    for (const batch of batches.slice(0, 2)) await first.update(batch);
    const checkpoint = await first.checkpoint();
    disposeTrainer(first);
    const resumed = makeTrainer();
    await resumed.restore(checkpoint);
    expect(resumed.step).toBe(2);
    try {
      for (const batch of batches.slice(2)) await resumed.update(batch);
      expect(await snapshot(resumed)).toEqual(expected);
    } finally {
      disposeTrainer(resumed);
    }
  });

  it.skipIf(testBackend === 'cpu')(`gives the cpu backend's numbers on ${testBackend} (float32 tolerance)`, async () => {
    const batches = [1, 2, 3].map((s) => makeBatch(s));
    const run = async (): Promise<Record<string, number[]>> => {
      const trainer = makeTrainer();
      try {
        for (const batch of batches) await trainer.update(batch);
        return await snapshot(trainer);
      } finally {
        disposeTrainer(trainer);
      }
    };
    const here = await run();
    await useBackend('cpu');
    let onCpu: Record<string, number[]>;
    try {
      onCpu = await run();
    } finally {
      await useBackend(testBackend as 'wasm' | 'webgpu');
    }
    expect(Object.keys(here).sort()).toEqual(Object.keys(onCpu).sort());
    // 3 updates x 2 epochs of Adam on both models: float32 kernels summing in a different order drift by a
    // few ulps per op; 2e-4 absolute on weights of order 0.1-1 is far below one learning-rate step (0.01).
    for (const [name, values] of Object.entries(here)) {
      const reference = onCpu[name]!;
      const worst = Math.max(...values.map((v, i) => Math.abs(v - reference[i]!)));
      expect(worst, name).toBeLessThan(2e-4);
    }
  });

  it('updateActor: false steps only the critic (a critic warm-up): the actor stays bit for bit, the critic moves as in a full update', async () => {
    const batch = makeBatch(5);
    const full = makeTrainer();
    const initial = await snapshot(full);
    await full.update(batch);
    const afterFull = await snapshot(full);
    disposeTrainer(full);
    const warm = makeTrainer();
    try {
      await warm.update(batch, { updateActor: false });
      const afterWarm = await snapshot(warm);
      const actorNames = Object.keys(initial).filter((name) => name.startsWith('ppo-test-actor'));
      const criticNames = Object.keys(initial).filter((name) => name.startsWith('ppo-test-critic'));
      expect(actorNames.length).toBeGreaterThan(0);
      expect(criticNames.length).toBeGreaterThan(0);
      for (const name of actorNames) expect(afterWarm[name], name).toEqual(initial[name]);
      // The critic's loss does not involve the actor, so its step is the same whether or not the actor steps.
      for (const name of criticNames) expect(afterWarm[name], name).toEqual(afterFull[name]);
      expect(actorNames.some((name) => afterFull[name]?.some((v, i) => v !== initial[name]?.[i]))).toBe(true);
      expect(criticNames.some((name) => afterWarm[name]?.some((v, i) => v !== initial[name]?.[i]))).toBe(true);
      await expect(warm.update(batch, { updateActor: 1 as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'updateActor' });
    } finally {
      disposeTrainer(warm);
    }
  });

  it('rejects malformed batches', async () => {
    const trainer = makeTrainer();
    const batch = makeBatch(9);
    await expect(trainer.update({ ...batch, advantages: batch.advantages.subarray(1) })).rejects.toMatchObject({ code: 'SHAPE_MISMATCH', field: 'batch.advantages' });
    const bad = Float32Array.from(batch.returns);
    bad[3] = Number.NaN;
    await expect(trainer.update({ ...batch, returns: bad })).rejects.toMatchObject({ code: 'NON_FINITE', field: 'batch.returns' });
    expectUnbiasedError(() => new PPOTrainer({ ...makeOptionsOf(trainer), clipRatio: 1.5 }), 'INVALID_HYPERPARAMETER', 'clipRatio');
    disposeTrainer(trainer);
  });
});

describe('rl perf suite: the PPO case', () => {
  it('sets up, steps and disposes without leaking tensors or variables', async () => {
    const ppo = rlPerfCases(100, { batchSize: 2, length: 4, vocabSize: 8, hidden: 4 }).find((c) => c.name.startsWith('PPO'));
    const before = tf.memory().numTensors;
    const instance = await ppo!.setup();
    await instance.step();
    await instance.step();
    await instance.fence();
    instance.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(tf.engine().registeredVariables).filter((name) => name.startsWith('rl-perf'))).toEqual([]);
  });
});

function makeOptionsOf(trainer: PPOTrainer) {
  return {
    actor: trainer.actor,
    critic: trainer.critic,
    actorTransform: chain(scaleByLearningRate(0.1)),
    criticTransform: chain(scaleByLearningRate(0.1)),
  };
}

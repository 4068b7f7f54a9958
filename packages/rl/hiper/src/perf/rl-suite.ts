import { chain, type PerfCase, type PerfInstance, type PerfSuite, Rng, scaleByAdam, scaleByLearningRate } from '@unbiased/core';
import { computeHAEColumns } from '../hae/hae.js';
import type { HierarchicalTurnColumns } from '../hae/columns.js';
import { turnGAEColumns } from '../hae/turn-gae.js';
import { TinyTokenPolicy } from '../ppo/tiny-policy.js';
import { type PPOBatch, PPOTrainer } from '../ppo/trainer.js';

/** Turns per step of the suite's main cases. */
export const RL_PERF_TURNS = 1_000_000;

/**
 * A synthetic batch of `turns` turns in trajectories of 50 turns (the released runs' max_steps), grouped and
 * in turn order, SWITCH with probability 0.2, the last turn done, float32 rewards and values.
 */
export function syntheticTurnColumns(turns: number, seed = 0): HierarchicalTurnColumns & { value: Float32Array } {
  const rng = Rng.fromSeed(seed).fold('rl-perf');
  const u = rng.uniform(turns);
  const trajId = new Int32Array(turns);
  const turnIdx = new Int32Array(turns);
  const done = new Uint8Array(turns);
  const isSwitch = new Uint8Array(turns);
  for (let i = 0; i < turns; i++) {
    trajId[i] = Math.floor(i / 50);
    turnIdx[i] = i % 50;
    isSwitch[i] = (u[i] as number) < 0.2 ? 1 : 0;
    done[i] = i % 50 === 49 || i === turns - 1 ? 1 : 0;
  }
  const reward = Float32Array.from(rng.fold('reward').uniform(turns), (x) => (x < 0.02 ? 1 : 0));
  const vLow = Float32Array.from(rng.fold('vLow').uniform(turns));
  const vHigh = Float32Array.from(rng.fold('vHigh').uniform(turns));
  const vTerm = Float32Array.from(rng.fold('vTerm').uniform(turns));
  return { trajId, turnIdx, done, isSwitch, reward, vLow, vHigh, vTerm, value: vLow };
}

function instance(turns: number, method: 'hae' | 'hae-reuse' | 'flat'): PerfInstance {
  const columns = syntheticTurnColumns(turns);
  const out = method === 'hae-reuse' ? computeHAEColumns(columns) : undefined;
  let sink = 0;
  return {
    step() {
      if (method !== 'flat') sink += computeHAEColumns(columns, { gamma: 0.99, lamSeg: 0.95 }, out).advLow[0] as number;
      else sink += turnGAEColumns(columns, { gamma: 0.99, lam: 1 }).advantages[0] as number;
    },
    async fence() {
      if (Number.isNaN(sink)) throw new Error('unreachable: advantages are finite');
    },
    dispose() {},
  };
}

/** PPO perf batch: sequences x scored positions, vocabulary and hidden width of the tiny token policy. */
export const PPO_PERF_SHAPE = { batchSize: 16, length: 64, vocabSize: 64, hidden: 64 } as const;

let ppoInstances = 0;

/** A PPO batch of random tokens and targets (three value heads, every position scored). */
export function syntheticPPOBatch(batchSize: number, length: number, vocabSize: number, seed = 0): PPOBatch {
  const rng = Rng.fromSeed(seed).fold('rl-perf-ppo');
  const scored = batchSize * length;
  return {
    batchSize,
    length,
    tokens: Int32Array.from(rng.fold('tokens').uniform(batchSize * (length + 1)), (u) => Math.floor(u * vocabSize)),
    lossMask: new Float32Array(scored).fill(1),
    advantages: Float32Array.from(rng.fold('advantages').normal(scored)),
    oldLogProbs: new Float32Array(scored).fill(-Math.log(vocabSize)),
    refLogProbs: new Float32Array(scored).fill(-Math.log(vocabSize)),
    returns: Float32Array.from(rng.fold('returns').uniform(scored * 3)),
    oldValues: new Float32Array(scored * 3),
    valueMask: new Float32Array(scored * 3).fill(1),
  };
}

async function ppoInstance(shape: { batchSize: number; length: number; vocabSize: number; hidden: number }): Promise<PerfInstance> {
  const id = ppoInstances++;
  const model = (role: string, seed: number) =>
    new TinyTokenPolicy({ vocabSize: shape.vocabSize, hidden: shape.hidden, maxLength: shape.length + 1, seed, name: `rl-perf-${id}-${role}` });
  const trainer = new PPOTrainer({
    actor: model('actor', 1),
    critic: model('critic', 2),
    actorTransform: chain(scaleByAdam(), scaleByLearningRate(1e-3)),
    criticTransform: chain(scaleByAdam(), scaleByLearningRate(1e-2)),
  });
  const batch = syntheticPPOBatch(shape.batchSize, shape.length, shape.vocabSize);
  return {
    // update() reads its four loss scalars back asynchronously at the end, which also fences the device.
    async step() {
      await trainer.update(batch);
    },
    async fence() {},
    dispose() {
      trainer.dispose();
      trainer.actor.dispose();
      trainer.critic.dispose();
    },
  };
}

/** The suite's cases at any size (the suite uses 1e6 turns plus a 1e5-turn HAE case to show linear scaling). */
export function rlPerfCases(turns = RL_PERF_TURNS, ppoShape: { batchSize: number; length: number; vocabSize: number; hidden: number } = PPO_PERF_SHAPE): PerfCase[] {
  const small = Math.max(1, Math.floor(turns / 10));
  // 32 bytes per turn at least: ids, index, flags, reward and three float32 values in; six float64 advantages/returns out are more.
  const bytes = (n: number) => n * 32;
  return [
    { name: 'flat turn GAE', n: turns, baseline: null, bytesPerStep: bytes(turns), warmup: 3, setup: async () => instance(turns, 'flat') },
    { name: 'HAE (3 streams)', n: turns, baseline: 'flat turn GAE', bytesPerStep: bytes(turns), warmup: 3, setup: async () => instance(turns, 'hae') },
    { name: 'HAE (3 streams), output buffers reused', n: turns, baseline: 'HAE (3 streams)', bytesPerStep: bytes(turns), warmup: 3, setup: async () => instance(turns, 'hae-reuse') },
    { name: 'HAE (3 streams), 1/10 of the turns', n: small, baseline: 'HAE (3 streams)', bytesPerStep: bytes(small), warmup: 3, stepsPerSample: 1, setup: async () => instance(small, 'hae') },
    {
      name: `PPO update, tiny token policy (${ppoShape.batchSize} x ${ppoShape.length} tokens)`,
      n: ppoShape.batchSize * ppoShape.length,
      baseline: null,
      warmup: 2,
      setup: () => ppoInstance(ppoShape),
    },
  ];
}

/**
 * `unbiased perf rl`: HiPER's hierarchical advantage estimation (executor, planner and switch streams, per-stream
 * standardisation) over 1e6 turns in 50-turn trajectories, against flat turn-level GAE on the same batch, and
 * HAE on a tenth of the turns (ratio ~0.1 when the cost is linear in turns); HAE is plain array arithmetic,
 * the same on every backend. Plus one PPO update (actor and three-head critic, Adam) of the tiny token
 * policy on 16 x 64 scored tokens, on the active backend: tokens/s = n / time per step.
 */
export const rlPerfSuite: PerfSuite = {
  id: 'rl',
  title: 'RL: HAE vs flat turn GAE over 1e6 turns; PPO update throughput',
  packageName: '@unbiased/rl-hiper',
  cases: () => rlPerfCases(),
};

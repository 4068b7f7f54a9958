// The one fusion mechanism: a fast path (`applyScaled`, optionally absorbing the stages it names in
// `fusesPrevious`) reads and writes the reference state tree, so a checkpoint moves between `impl`s. Adam and
// AdamW (core scaleByAdam, impl 'fused' vs 'reference') over several steps on each backend, and the chain's
// handling of `fusesPrevious` with a toy stage pair.
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';
import { mulberry32 as rng } from '../../../tooling/vitest/random.js';
import {
  addDecayedWeights,
  chain,
  disposeReplaced,
  disposeState,
  type GradientTransformation,
  type NamedTensors,
  type ScaledStepResult,
  type StateTree,
  scaleByAdam,
  scaleByLearningRate,
  TransformOptimizer,
} from '../src/index.js';

// cpu and wasm: the fused kernels run the reference's float32 operations in the same order (bit for bit);
// WebGPU may contract a*b + c into one FMA: a few float32 roundings of the largest magnitude (|p| < 2).
const exact = testBackend !== 'webgpu';

const SHAPES: Record<string, number[]> = { 'dense/kernel': [4, 3], 'dense/bias': [3], scale: [] };

function values(n: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() < 0.1 ? 0 : (r() - 0.5) * 2));
}

function gradsAt(step: number): NamedTensors {
  return Object.fromEntries(Object.entries(SHAPES).map(([name, shape], i) => [name, tf.tensor(values(tf.util.sizeFromShape(shape), 100 * step + i), shape)]));
}

function bits(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength)));
}

/** Runs 8 optimizer steps; with `switchTo`, checkpoints after step 4 and continues in a fresh optimizer from it. */
async function trajectory(create: () => GradientTransformation, switchTo?: () => GradientTransformation): Promise<Record<string, Float32Array>> {
  const vars = Object.fromEntries(
    Object.entries(SHAPES).map(([name, shape], i) => [name, tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 7 + i), shape), true, name)]),
  );
  let optimizer = new TransformOptimizer(create());
  for (let t = 1; t <= 8; t++) {
    if (t === 5 && switchTo) {
      const saved = await optimizer.getWeights();
      optimizer.dispose();
      optimizer = new TransformOptimizer(switchTo());
      await optimizer.setWeights(saved);
      expect(optimizer.iterations).toBe(4);
      tf.dispose(saved.map((w) => w.tensor));
    }
    const grads = gradsAt(t);
    await optimizer.step(grads);
    tf.dispose(Object.values(grads));
  }
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(vars)) out[name] = Float32Array.from((await v.data()) as Float32Array);
  optimizer.dispose();
  for (const v of Object.values(vars)) v.dispose();
  return out;
}

const RECIPES: Record<string, (impl: 'fused' | 'reference') => GradientTransformation> = {
  Adam: (impl) => chain(scaleByAdam({ impl }), scaleByLearningRate(0.01)),
  AdamW: (impl) => chain(scaleByAdam({ impl }), addDecayedWeights(0.1), scaleByLearningRate((t) => 0.01 / (t + 1))),
};

describe(`checkpoints across impl on ${testBackend}`, () => {
  for (const [label, recipe] of Object.entries(RECIPES)) {
    for (const [from, to] of [
      ['reference', 'fused'],
      ['fused', 'reference'],
    ] as const) {
      it(`${label}: a checkpoint from impl '${from}' restores under '${to}' and continues${exact ? ' bit for bit' : ''}`, async () => {
        expect(recipe('fused').applyStep, 'the fused chain has the fast path').toBeDefined();
        const straight = await trajectory(() => recipe(from));
        const resumed = await trajectory(
          () => recipe(from),
          () => recipe(to),
        );
        for (const name of Object.keys(SHAPES)) {
          const got = resumed[name] as Float32Array;
          const want = straight[name] as Float32Array;
          if (exact) expect(bits(got), name).toEqual(bits(want));
          else {
            got.forEach((x, i) => {
              expect(Math.abs(x - (want[i] as number)), `${name}[${i}]`).toBeLessThanOrEqual(32 * 2 ** -24 * 2);
            });
          }
        }
      });
    }
  }
});

/** A toy stage `u = 2 g` counting its steps, and a stage that fuses it: `p + (3 u) * scale` in one go. */
function toyPair(): [GradientTransformation<StateTree>, GradientTransformation<StateTree>] {
  const doubler: GradientTransformation<StateTree> = {
    name: 'doubler',
    init: () => ({ count: 0 }),
    update: (grads, state) => ({
      updates: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, 2)])),
      state: { count: (state.count as number) + 1 },
    }),
  };
  const tripler: GradientTransformation<StateTree> = {
    name: 'tripler',
    init: () => ({ count: 0 }),
    update: (grads, state) => ({
      updates: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.mul(g, 3)])),
      state: { count: (state.count as number) + 1 },
    }),
    fusesPrevious: [doubler],
    applyScaled(grads, state, params, scale, _weightDecay, previous): ScaledStepResult<StateTree> {
      const before = previous?.[0] as StateTree;
      return {
        params: Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.tidy(() => tf.add(params[k] as tf.Tensor, tf.mul(g, 6 * scale)))])),
        state: { count: (state.count as number) + 1 },
        previous: [{ count: (before.count as number) + 10 }],
      };
    },
  };
  return [doubler, tripler];
}

describe('chain: fusesPrevious', () => {
  it('passes the absorbed stages their states, stores their new states in place, and keeps the stage order', async () => {
    const [doubler, tripler] = toyPair();
    const tx = chain(doubler, tripler, scaleByLearningRate(0.5));
    expect(tx.applyStep).toBeDefined();
    const params = { w: tf.tensor1d([1, 2]) };
    const state = tx.init(params);
    const g = { w: tf.tensor1d([1, -1]) };
    const result = (tx.applyStep as NonNullable<typeof tx.applyStep>)(g, state, params);
    expect(Object.keys(result.state)).toEqual(['0:doubler', '1:tripler', '2:scale_by_learning_rate']);
    expect(result.state['0:doubler']).toEqual({ count: 10 });
    expect(result.state['1:tripler']).toEqual({ count: 1 });
    expect(Array.from(await (result.params.w as tf.Tensor).data())).toEqual([1 - 3, 2 + 3]);
    disposeReplaced(state, result.state);
    tf.dispose([params.w, g.w, result.params.w as tf.Tensor]);
    disposeState(result.state);
  });

  it('does not fuse unless exactly the named stage precedes the fusing one', () => {
    const [doubler, tripler] = toyPair();
    const [otherDoubler] = toyPair();
    expect(chain(tripler, scaleByLearningRate(0.5)).applyStep).toBeUndefined();
    expect(chain(otherDoubler, tripler, scaleByLearningRate(0.5)).applyStep).toBeUndefined();
    expect(chain(doubler, addDecayedWeights(0), tripler, scaleByLearningRate(0.5)).applyStep).toBeUndefined();
    expect(chain(doubler, tripler, addDecayedWeights(0.1), scaleByLearningRate(0.5)).applyStep).toBeDefined();
  });
});

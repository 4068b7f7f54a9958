import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  applyUpdates,
  disposeReplaced,
  disposeState,
  type GradientTransformation,
  type NamedTensors,
  type StateTree,
  stateTensors,
  TransformOptimizer,
} from '@unbiased/core';

/** Options of {@link optimizerConformance}. */
export interface ConformanceOptions {
  /** Steps on the toy quadratic. Default 200. */
  steps?: number;
  /** The final loss must be below this fraction of the initial loss. Default 0.05. */
  maxFinalLossRatio?: number;
}

// f(x) = 0.5 * sum_i a_i (x_i - c_i)^2 over two variables of different shapes: gradient a * (x - c).
const CURVATURE = { 'layer/weight': [1, 2, 0.5, 4, 1.5, 3], 'layer/bias': [1, 0.25, 2] };
const TARGET = { 'layer/weight': [0.5, -1, 2, 0, -0.25, 1], 'layer/bias': [1.5, -0.5, 0.75] };
const START = { 'layer/weight': [-1, 1, 0, 2, 1, -1], 'layer/bias': [0, 0, 0] };
const SHAPES: Record<string, number[]> = { 'layer/weight': [2, 3], 'layer/bias': [3] };

function tensors(values: Record<string, number[]>): NamedTensors {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, tf.tensor(v, SHAPES[k])]));
}

function quadraticGrads(params: NamedTensors): NamedTensors {
  return Object.fromEntries(
    Object.keys(params).map((k) => [
      k,
      tf.tidy(() => tf.mul(tf.tensor(CURVATURE[k as keyof typeof CURVATURE], SHAPES[k]), tf.sub(params[k] as tf.Tensor, tf.tensor(TARGET[k as keyof typeof TARGET], SHAPES[k])))),
    ]),
  );
}

async function quadraticLoss(params: NamedTensors): Promise<number> {
  let loss = 0;
  for (const k of Object.keys(params).sort()) {
    const x = await (params[k] as tf.Tensor).data();
    const a = CURVATURE[k as keyof typeof CURVATURE];
    const c = TARGET[k as keyof typeof TARGET];
    x.forEach((xi, i) => {
      loss += 0.5 * (a[i] as number) * (xi - (c[i] as number)) ** 2;
    });
  }
  return loss;
}

/** One functional step: returns new params and state, disposing the replaced ones. */
function step(tx: GradientTransformation, params: NamedTensors, state: StateTree, grads: NamedTensors) {
  const { updates, state: next } = tx.update(grads, state, params);
  const nextParams = applyUpdates(params, updates);
  disposeReplaced(state, next, [...Object.values(updates), ...Object.values(params)]);
  return { params: nextParams, state: next };
}

async function bits(named: NamedTensors): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const k of Object.keys(named).sort()) {
    const data = await (named[k] as tf.Tensor).data();
    out[k] = Array.from(new Uint32Array(new Float32Array(data).buffer));
  }
  return out;
}

/**
 * A convergence-and-contract suite for one transform (e.g. a custom chain that is not a registered optimizer):
 * call it from a `*.backend.test.ts` file so it runs on every available backend. `create` must return a fresh
 * transform with the same seed each call. Registered optimizers need not call it: the conformance table
 * ({@link describeOptimizerTable}) tests them against their float64 reference.
 *
 * Checks: converges on a toy quadratic; no tensor leak over 5 steps and state disposal returns
 * `tf.memory()` to baseline; state round-trips through the tfjs adapter's getWeights/setWeights and
 * training continues with bit-identical parameters; shuffled gradient key order gives bit-identical
 * results; updates keep the gradients' dtype and shape; bad gradient keys and shapes throw.
 */
export function optimizerConformance(
  name: string,
  create: () => GradientTransformation,
  { steps = 200, maxFinalLossRatio = 0.05 }: ConformanceOptions = {},
): void {
  describe(`optimizer conformance: ${name}`, () => {
    it('converges on a toy quadratic', async () => {
      const tx = create();
      let params = tensors(START);
      let state = tx.init(params);
      const initial = await quadraticLoss(params);
      for (let t = 0; t < steps; t++) {
        const grads = quadraticGrads(params);
        ({ params, state } = step(tx, params, state, grads));
        tf.dispose(Object.values(grads));
      }
      const final = await quadraticLoss(params);
      expect(Number.isFinite(final)).toBe(true);
      expect(final).toBeLessThan(initial * maxFinalLossRatio);
      tf.dispose(Object.values(params));
      disposeState(state);
    });

    it('leaks no tensors over 5 steps and disposing state returns memory to baseline', async () => {
      const baseline = tf.memory();
      const tx = create();
      let params = tensors(START);
      let state = tx.init(params);
      const counts: number[] = [];
      const bytes: number[] = [];
      for (let t = 0; t < 5; t++) {
        const grads = quadraticGrads(params);
        ({ params, state } = step(tx, params, state, grads));
        tf.dispose(Object.values(grads));
        counts.push(tf.memory().numTensors);
        bytes.push(tf.memory().numBytes);
      }
      expect(new Set(counts.slice(1)).size).toBe(1);
      expect(new Set(bytes.slice(1)).size).toBe(1);
      tf.dispose(Object.values(params));
      disposeState(state);
      expect(tf.memory().numTensors).toBe(baseline.numTensors);
      expect(tf.memory().numBytes).toBe(baseline.numBytes);
    });

    it('keeps dtype and shape, and rejects mismatched gradient keys and shapes', () => {
      const tx = create();
      const params = tensors(START);
      const state = tx.init(params);
      const grads = quadraticGrads(params);
      const { updates, state: next } = tx.update(grads, state, params);
      for (const k of Object.keys(grads)) {
        expect((updates[k] as tf.Tensor).dtype).toBe((grads[k] as tf.Tensor).dtype);
        expect((updates[k] as tf.Tensor).shape).toEqual((grads[k] as tf.Tensor).shape);
      }
      const missing = { 'layer/weight': grads['layer/weight'] as tf.Tensor };
      expect(() => tx.update(missing, state, params)).toThrowError(/layer\/bias/);
      const wrong = tf.zeros([4]);
      expect(() => tx.update({ ...grads, 'layer/bias': wrong }, state, params)).toThrowError(/layer\/bias/);
      tf.dispose([wrong, ...Object.values(grads), ...Object.values(updates), ...Object.values(params)]);
      disposeReplaced(state, next);
      disposeState(next);
    });

    it('gives bit-identical results for shuffled gradient key order', async () => {
      const runWith = async (order: string[]) => {
        const tx = create();
        let params = tensors(START);
        let state = tx.init(params);
        for (let t = 0; t < 4; t++) {
          const raw = quadraticGrads(params);
          const grads: NamedTensors = {};
          for (const k of order) grads[k] = raw[k] as tf.Tensor;
          ({ params, state } = step(tx, params, state, grads));
          tf.dispose(Object.values(raw));
        }
        const result = await bits(params);
        tf.dispose(Object.values(params));
        disposeState(state);
        return result;
      };
      expect(await runWith(['layer/bias', 'layer/weight'])).toEqual(await runWith(['layer/weight', 'layer/bias']));
    });

    it('round-trips state through getWeights/setWeights and continues identically', async () => {
      const suffix = Math.random().toString(36).slice(2);
      const vars = Object.fromEntries(
        Object.entries(START).map(([k, v]) => [k, tf.tidy(() => tf.variable(tf.tensor(v, SHAPES[k]), true, `${k}_${suffix}`))]),
      );
      const runSteps = (opt: TransformOptimizer, n: number) => {
        for (let t = 0; t < n; t++) {
          const grads = quadraticGrads(Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v])));
          opt.applyGradients(Object.fromEntries(Object.entries(grads).map(([k, g]) => [`${k}_${suffix}`, g])));
          tf.dispose(Object.values(grads));
        }
      };
      const first = new TransformOptimizer(create());
      runSteps(first, 3);
      const saved = await first.getWeights();
      const snapshot = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, tf.clone(v)]));
      runSteps(first, 3);
      const expected = await bits(vars);

      for (const [k, v] of Object.entries(vars)) v.assign(snapshot[k] as tf.Tensor);
      const second = new TransformOptimizer(create());
      await second.setWeights(saved);
      expect(second.iterations).toBe(3);
      runSteps(second, 3);
      expect(await bits(vars)).toEqual(expected);

      tf.dispose(saved.map((w) => w.tensor));
      tf.dispose(Object.values(snapshot));
      first.dispose();
      second.dispose();
      for (const v of Object.values(vars)) v.dispose();
      expect(stateTensors(second.getState() ?? {}).length).toBe(0);
    });
  });
}

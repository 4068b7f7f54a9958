import * as tf from '@tensorflow/tfjs-core';
import {
  chain,
  disposeReplaced,
  disposeState,
  type EmaState,
  ema,
  type GradientTransformation,
  type NamedTensors,
  quantizeE4M3,
  roundBf16,
  roundE4M3,
  type SignConversionState,
  type StateTree,
  signConversion,
} from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../tooling/vitest/backend.js';

const gradSeq = [
  [0.5, -1, 0, 3e-4, 12, 1e-6, -2, 0.1],
  [0.25, 1, -0.5, 1e-3, -8, 0, 4, 0.3],
  [-0.75, 0.5, 2, 0, 1, -1e-3, 0.5, -0.2],
  [1, -2, 0.125, 5e-2, 3, 2, -0.25, 0.7],
];

/** Runs the updates and returns, per step, the update and every tensor of the state (read as numbers). */
async function run<S extends StateTree>(tx: GradientTransformation<S>, pick: (s: S) => tf.Tensor) {
  const p: NamedTensors = { w: tf.zeros([gradSeq[0]!.length]) };
  let state = tx.init(p);
  const out: { update: number[]; state: number[] }[] = [];
  for (const g of gradSeq) {
    const grads = { w: tf.tensor1d(g) };
    const { updates, state: next } = tx.update(grads, state, p);
    out.push({ update: await read(updates.w as tf.Tensor), state: await read(pick(next)) });
    disposeReplaced(state, next, [...Object.values(updates), ...Object.values(grads)]);
    state = next;
  }
  disposeState(state);
  tf.dispose(Object.values(p));
  return out;
}

/** True when `values / (amax / 448)` lies on the e4m3 grid up to float32 rounding of the scale (2^-20 relative). */
function onScaledE4M3Grid(values: number[]): boolean {
  const amax = Math.max(...values.map(Math.abs));
  if (amax === 0) return true;
  return values.every((v) => {
    const scaled = (v * 448) / amax;
    return Math.abs(roundE4M3(scaled) - scaled) <= 2 ** -20 * Math.abs(scaled);
  });
}

describe(`stateDtype on ${testBackend}`, () => {
  it("ema: 'float32' is the default path, bit for bit", async () => {
    const plain = await run(ema({ decay: 0.9 }), (s: EmaState) => s.ema.w as tf.Tensor);
    const explicit = await run(ema({ decay: 0.9, stateDtype: 'float32' }), (s: EmaState) => s.ema.w as tf.Tensor);
    expect(explicit).toEqual(plain);
  });

  it("ema: 'bf16' stores bfloat16 values and outputs the stored (rounded) state", async () => {
    const got = await run(ema({ decay: 0.9, debias: false, stateDtype: 'bf16' }), (s: EmaState) => s.ema.w as tf.Tensor);
    // Float64 reference of the recurrence with bf16 storage: e_t = bf16(0.9 e_{t-1} + 0.1 g_t). The float32 arithmetic
    // of the library differs from float64 by a few ulp of float32, which can move a value across a bf16 midpoint only
    // within 2^-16 relative of it; such elements are allowed either neighbour.
    let e = gradSeq[0]!.map(() => 0);
    got.forEach(({ update, state }, t) => {
      expect(state.every((v) => roundBf16(v) === v)).toBe(true);
      expect(update).toEqual(state);
      const exact = e.map((prev, i) => 0.9 * prev + 0.1 * gradSeq[t]![i]!);
      state.forEach((v, i) => {
        const want = roundBf16(exact[i]!);
        if (v !== want) expect(Math.abs(v - exact[i]!)).toBeLessThanOrEqual(2 ** -8 * Math.abs(exact[i]!));
      });
      e = state;
    });
  });

  it("ema: 'e4m3' stores values on the per-tensor-scaled e4m3 grid, equal to quantizeE4M3 of the float32 update", async () => {
    const got = await run(ema({ decay: 0.9, stateDtype: 'e4m3' }), (s: EmaState) => s.ema.w as tf.Tensor);
    let previous = tf.zeros([gradSeq[0]!.length]);
    for (const [t, { update, state }] of got.entries()) {
      expect(onScaledE4M3Grid(state)).toBe(true);
      const g = tf.tensor1d(gradSeq[t]!);
      const expected = tf.tidy(() => quantizeE4M3(tf.add(tf.mul(previous, tf.scalar(0.9)), tf.mul(g, tf.scalar(1 - 0.9)))));
      expect(state).toEqual(await read(expected));
      // Debiased output from the stored value.
      const correction = 1 - 0.9 ** (t + 1);
      for (const [i, u] of update.entries()) expect(Math.abs(u - state[i]! / correction)).toBeLessThanOrEqual(1e-6 * Math.abs(u) + 1e-30);
      tf.dispose([previous, g]);
      previous = expected;
    }
    previous.dispose();
  });

  for (const stateDtype of ['bf16', 'e4m3'] as const) {
    it(`signConversion: the '${stateDtype}' envelope is stored rounded and the restored step uses the stored value`, async () => {
      const tx = signConversion({ seed: 3, step: 'restored', stateDtype });
      const got = await run(tx, (s: SignConversionState) => s.envelope.w as tf.Tensor);
      for (const { update, state } of got) {
        if (stateDtype === 'bf16') expect(state.every((v) => roundBf16(v) === v)).toBe(true);
        else expect(onScaledE4M3Grid(state)).toBe(true);
        // restored: out = S * sign(u + S n), so |out| is the stored envelope (or 0 where u + S n is exactly 0).
        for (const [i, u] of update.entries()) expect([0, state[i]]).toContain(Math.abs(u));
      }
    });
  }

  it("signConversion: 'float32' is the default path, bit for bit, and a bad stateDtype names the option", async () => {
    const pick = (s: StateTree) => (s['1:sign_conversion'] as SignConversionState).envelope.w as tf.Tensor;
    const a = await run(chain(ema({ decay: 0.9, debias: false }), signConversion({ seed: 5 })), pick);
    const b = await run(chain(ema({ decay: 0.9, debias: false }), signConversion({ seed: 5, stateDtype: 'float32' })), pick);
    expect(b).toEqual(a);
    expect(() => signConversion({ seed: 1, stateDtype: 'fp16' as 'bf16' })).toThrowError(/stateDtype/);
    expect(() => ema({ decay: 0.9, stateDtype: 'int8' as 'bf16' })).toThrowError(/stateDtype/);
  });
});

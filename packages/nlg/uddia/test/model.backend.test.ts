import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { loadTinyGpt, saveTinyGpt, TinyGpt, syntheticVocabulary } from '../src/index.js';
import { memorySnapshot, read, testBackend } from './helpers.js';

const CONFIG = { vocabulary: syntheticVocabulary(), hiddenSize: 8, numBlocks: 2, numHeads: 2, maxPositions: 5, mlpRatio: 2 };

type Params = Map<string, number[]>;

/** Float64 forward of the GPT-style model, written from the architecture (pre-LN, causal attention, tanh-GELU). */
function referenceHidden(p: Params, inputs: number[][][], offsets: Record<string, number[][]> = {}, from = 0): number[][][] {
  const d = CONFIG.hiddenSize;
  const heads = CONFIG.numHeads;
  const dh = d / heads;
  const get = (n: string) => p.get(n) as number[];
  return inputs.map((seq, b) => {
    const L = seq.length;
    const bias = (name: string, pos: number, j: number) => (get(name)[j] as number) + (pos >= from && offsets[name] ? ((offsets[name] as number[][])[b]?.[j] as number) : 0);
    const dense = (x: number[], name: string, pos: number) => {
      const w = get(`${name}/kernel`);
      const out = w.length / x.length;
      return Array.from({ length: out }, (_, o) => x.reduce((s, xi, i) => s + xi * (w[i * out + o] as number), 0) + bias(`${name}/bias`, pos, o));
    };
    const ln = (x: number[], name: string, pos: number) => {
      const mu = x.reduce((a, c) => a + c, 0) / x.length;
      const v = x.reduce((a, c) => a + (c - mu) ** 2, 0) / x.length;
      return x.map((c, j) => ((c - mu) / Math.sqrt(v + 1e-5)) * (get(`${name}/gain`)[j] as number) + bias(`${name}/bias`, pos, j));
    };
    const gelu = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
    let h = seq.map((e, pos) => e.map((x, j) => x + (get('embed/positions')[pos * d + j] as number)));
    for (let blk = 0; blk < CONFIG.numBlocks; blk++) {
      const a = h.map((x, pos) => ln(x, `block${blk}/ln1`, pos));
      const qkv = a.map((x, pos) => dense(x, `block${blk}/attn/qkv`, pos));
      const attended = qkv.map((_, i) => {
        const out = new Array<number>(d).fill(0);
        for (let hd = 0; hd < heads; hd++) {
          const q = (qkv[i] as number[]).slice(hd * dh, (hd + 1) * dh);
          const scores = Array.from({ length: i + 1 }, (_, j) => q.reduce((s, qk, k) => s + qk * ((qkv[j] as number[])[d + hd * dh + k] as number), 0) / Math.sqrt(dh));
          const m = Math.max(...scores);
          const w = scores.map((s) => Math.exp(s - m));
          const z = w.reduce((x, y) => x + y, 0);
          for (let j = 0; j <= i; j++) for (let k = 0; k < dh; k++) out[hd * dh + k] = (out[hd * dh + k] as number) + ((w[j] as number) / z) * ((qkv[j] as number[])[2 * d + hd * dh + k] as number);
        }
        return out;
      });
      h = h.map((x, pos) => {
        const o = dense(attended[pos] as number[], `block${blk}/attn/proj`, pos);
        return x.map((c, j) => c + (o[j] as number));
      });
      h = h.map((x, pos) => {
        const f = dense(dense(ln(x, `block${blk}/ln2`, pos), `block${blk}/mlp/fc`, pos).map(gelu), `block${blk}/mlp/proj`, pos);
        return x.map((c, j) => c + (f[j] as number));
      });
    }
    void L;
    return h.map((x, pos) => ln(x, 'final/ln', pos));
  });
}

async function randomised(seed: number): Promise<{ model: TinyGpt; params: Params }> {
  const model = TinyGpt.create(CONFIG, Rng.fromSeed(seed));
  // Non-trivial gains and biases (the init has 1 and 0).
  const rng = Rng.fromSeed(seed + 100);
  for (const [name, v] of model.params) {
    if (name.endsWith('/bias') || name.endsWith('/gain')) {
      const t = tf.tensor(Float32Array.from(rng.normal(v.size, name.endsWith('/gain') ? 1 : 0, 0.3)), v.shape);
      v.assign(t);
      t.dispose();
    }
  }
  const params: Params = new Map();
  for (const [name, v] of model.params) params.set(name, await read(v));
  return { model, params };
}

describe(`TinyGpt on ${testBackend}`, () => {
  it('matches a float64 forward pass, with and without per-row bias offsets from a position on', async () => {
    const { model, params } = await randomised(1);
    const before = memorySnapshot();
    const rng = Rng.fromSeed(5);
    const [B, L, d] = [2, 4, CONFIG.hiddenSize];
    const inputs = Array.from({ length: B }, () => Array.from({ length: L }, () => Array.from(rng.normal(d))));
    const names = ['block1/attn/qkv/bias', 'block1/mlp/proj/bias', 'final/ln/bias'];
    const offsets = Object.fromEntries(names.map((n) => [n, Array.from({ length: B }, () => Array.from(rng.normal((params.get(n) as number[]).length, 0, 0.1)))]));
    const x = tf.tensor3d(inputs);
    const offsetTensors = Object.fromEntries(names.map((n) => [n, tf.tensor2d(offsets[n] as number[][])]));
    for (const from of [undefined, 0, 2]) {
      const h = from === undefined ? model.hidden(x) : model.hidden(x, { offsets: offsetTensors, fromPosition: from });
      const want = from === undefined ? referenceHidden(params, inputs) : referenceHidden(params, inputs, offsets, from);
      const got = await read(h);
      const flat = want.flat(2);
      // float32 forward of ~20 ops per value on unit-scale inputs: 1e-4 relative + 1e-4 absolute.
      flat.forEach((w, i) => {
        expect(Math.abs((got[i] as number) - w), `element ${i}`).toBeLessThanOrEqual(1e-4 + 1e-4 * Math.abs(w));
      });
      h.dispose();
    }
    tf.dispose([x, ...Object.values(offsetTensors)]);
    expect(memorySnapshot().numTensors).toBe(before.numTensors);
    model.dispose();
  });

  it('single-position kernels: forward over the key/value cache and closed-form backward match float64 (central differences)', async () => {
    const { model } = await randomised(3);
    // Unit-scale pre-activations (the init's 0.02 kernels would hide errors in the MLP and attention backward).
    const scale = Rng.fromSeed(33);
    for (const [name, v] of model.params) {
      if (!name.endsWith('/kernel')) continue;
      const t = tf.tensor(Float32Array.from(scale.fold(name).normal(v.size, 0, 0.5)), v.shape);
      v.assign(t);
      t.dispose();
    }
    const params: Params = new Map();
    for (const [name, v] of model.params) params.set(name, await read(v));
    const before = memorySnapshot();
    const rng = Rng.fromSeed(9);
    const [B, L, d] = [2, 3, CONFIG.hiddenSize];
    const inputs = Array.from({ length: B }, () => Array.from({ length: L }, () => Array.from(rng.normal(d))));
    const lookAhead = Array.from({ length: B }, () => Array.from(rng.normal(d)));
    // Tuned: every bias of the top block and the final norm (tapeFrom = 1 of 2 blocks).
    const names = [...model.blockBiases(1).keys(), 'final/ln/bias'];
    const offsets = Object.fromEntries(names.map((n) => [n, Array.from({ length: B }, () => Array.from(rng.normal((params.get(n) as number[]).length, 0, 0.1)))]));
    const upstream = Array.from({ length: B }, () => Array.from(rng.normal(d)));
    // phi = sum_b upstream_b . top_b(position), float64, at offsets + delta (one coordinate), with the look-ahead input.
    const phi = (position: number, offs: Record<string, number[][]>, la: number[][]): number => {
      const seqs = position === L ? inputs.map((seq, b) => [...seq, la[b] as number[]]) : inputs;
      const top = referenceHidden(params, seqs, offs, position);
      return upstream.reduce((s, u, b) => s + u.reduce((t, x, j) => t + x * ((top[b] as number[][])[position]?.[j] as number), 0), 0);
    };
    const bumped = (name: string, b: number, j: number, delta: number) => {
      const o = structuredClone(offsets);
      ((o[name] as number[][])[b] as number[])[j] = (((o[name] as number[][])[b] as number[])[j] as number) + delta;
      return o;
    };
    const out = tf.tidy(() => {
      const x = tf.tensor3d(inputs);
      const cache = model.encodeContext(x, 1);
      const biases = new Map(names.map((n) => [n, tf.add(model.param(n), tf.tensor2d(offsets[n] as number[][]))]));
      const current = model.forwardRow(cache, 'current', 1, biases);
      const next = model.forwardRow(cache, 'next', 0, biases, tf.tensor2d(lookAhead));
      const dTop = tf.tensor2d(upstream);
      const backNext = model.backwardRow(next, dTop, 1);
      const backCached = model.backwardRow(cache.current, dTop, 1);
      const hiddenLast = tf.slice(model.hidden(x), [0, L - 1, 0], [B, 1, d]);
      return { cacheTop: cache.top, hiddenLast, topSum: cache.topSum, current: current.out, next: next.out, dInput: backNext.dInput, nextGrads: Object.fromEntries(backNext.biasGrads), cachedGrads: Object.fromEntries(backCached.biasGrads) };
    });
    // The cache's last top state is hidden()'s, bitwise (the same kernels).
    expect(await read(out.cacheTop)).toEqual(await read(out.hiddenLast));
    const close = (got: number, want: number, what: string) => {
      // float32 forward/backward of ~50 ops per value on unit-scale data vs float64: 2e-4 relative + 2e-4 absolute.
      expect(Math.abs(got - want), what).toBeLessThanOrEqual(2e-4 + 2e-4 * Math.abs(want));
    };
    const base = referenceHidden(params, inputs);
    const topSum = await read(out.topSum);
    for (let b = 0; b < B; b++) for (let j = 0; j < d; j++) close(topSum[b * d + j] as number, (base[b] as number[][]).reduce((s, row) => s + (row[j] as number), 0), `topSum ${b},${j}`);
    const wantCurrent = referenceHidden(params, inputs, offsets, L - 1);
    const wantNext = referenceHidden(params, inputs.map((seq, b) => [...seq, lookAhead[b] as number[]]), offsets, L);
    const [current, next] = [await read(out.current), await read(out.next)];
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < d; j++) {
        close(current[b * d + j] as number, (wantCurrent[b] as number[][])[L - 1]?.[j] as number, `current ${b},${j}`);
        close(next[b * d + j] as number, (wantNext[b] as number[][])[L]?.[j] as number, `next ${b},${j}`);
      }
    }
    // Gradients, float64 central differences (h = 1e-5: truncation ~1e-10, rounding ~1e-11).
    const h = 1e-5;
    const dInput = await read(out.dInput);
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < d; j++) {
        const shifted = (delta: number) => lookAhead.map((row, r) => row.map((v, k) => v + (r === b && k === j ? delta : 0)));
        close(dInput[b * d + j] as number, (phi(L, offsets, shifted(h)) - phi(L, offsets, shifted(-h))) / (2 * h), `dInput ${b},${j}`);
      }
    }
    expect(Object.keys(out.nextGrads).sort()).toEqual([...names].sort());
    expect(Object.keys(out.cachedGrads).sort()).toEqual([...names].sort());
    const zero = Object.fromEntries(names.map((n) => [n, (offsets[n] as number[][]).map((row) => row.map(() => 0))]));
    for (const name of names) {
      const [gNext, gCached] = [await read(out.nextGrads[name] as tf.Tensor), await read(out.cachedGrads[name] as tf.Tensor)];
      const size = (params.get(name) as number[]).length;
      for (const [b, j] of [[0, 0], [1, size - 1], [1, Math.floor(size / 2)]] as const) {
        close(gNext[b * size + j] as number, (phi(L, bumped(name, b, j, h), lookAhead) - phi(L, bumped(name, b, j, -h), lookAhead)) / (2 * h), `next ${name} ${b},${j}`);
        // The cached pass is the last window position at the original biases (offsets 0).
        const at = (delta: number) => {
          const o = structuredClone(zero);
          ((o[name] as number[][])[b] as number[])[j] = delta;
          return phi(L - 1, o, lookAhead);
        };
        close(gCached[b * size + j] as number, (at(h) - at(-h)) / (2 * h), `cached ${name} ${b},${j}`);
      }
    }
    tf.dispose([out.cacheTop, out.hiddenLast, out.topSum, out.current, out.next, out.dInput, ...Object.values(out.nextGrads), ...Object.values(out.cachedGrads)]);
    expect(memorySnapshot().numTensors).toBe(before.numTensors);
    model.dispose();
  });

  it('saves and loads through tfjs IO handlers bitwise', async () => {
    const { model, params } = await randomised(2);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await saveTinyGpt(model, tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { note: 'x' });
    const { model: loaded, metadata } = await loadTinyGpt(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    expect(metadata).toEqual({ note: 'x' });
    for (const [name, values] of params) expect(await read(loaded.param(name))).toEqual(values);
    model.dispose();
    loaded.dispose();
  });
});

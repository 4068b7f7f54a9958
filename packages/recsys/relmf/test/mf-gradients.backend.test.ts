// tfjs gradients come from the ES-module build (tooling/vitest/setup-backend.ts imports register_all_gradients),
// while the library's `@tensorflow/tfjs-core` resolves to the CommonJS build: the ES copy's Tensor methods then
// have no op handler, and a gather's gradient (which calls `.clone()`) fails. Loading the ES copy's side
// effects installs it. Only the reference (autodiff) path needs this; the fused kernel needs no gradients.
import * as tf from '@tensorflow/tfjs-core';
import { Rng, useBackend } from '@unbiased/core';
import { afterAll, describe, expect, it } from 'vitest';
import { read, testBackend } from '../../../../tooling/vitest/backend.js';
import {
  type DeviceBatch,
  MatrixFactorization,
  mfLossAndGradients,
  mfRegressionLossAndGradients,
  rowIndex,
  uploadBatch,
} from '../src/index.js';
import { expectAllClose } from './helpers.js';

// Float32 kernels vs the float64 reference: cpu/wasm accumulate a few dozen float32 roundings per element
// (relative 2e-6 each), so rel 2e-5 + abs 1e-6; WGSL exp/log/division are not correctly rounded (a few ulp,
// more on Mesa's software rasteriser), so webgpu gets 10x that.
const TOL = testBackend === 'webgpu' ? { rel: 2e-4, abs: 1e-5 } : { rel: 2e-5, abs: 1e-6 };

// Users, items, embedding dimension, batch size of the test problem.
const [U, I, D, B] = [7, 5, 3, 23] as const;

interface Problem {
  P: Float64Array;
  Q: Float64Array;
  bu: Float64Array;
  bi: Float64Array;
  g: number;
  users: Int32Array;
  items: Int32Array;
  a: Float64Array;
  b: Float64Array;
  N: number;
}

function problem(seed: number): Problem {
  const rng = Rng.fromSeed(seed).fold('mf-gradients');
  // float32-representable values, so that the library sees exactly what the reference uses
  const f32 = (x: Float64Array) => Float64Array.from(x, Math.fround);
  return {
    P: f32(rng.fold('P').normal(U * D, 0, 0.7)),
    Q: f32(rng.fold('Q').normal(I * D, 0, 0.7)),
    bu: f32(rng.fold('bu').normal(U, 0, 0.3)),
    bi: f32(rng.fold('bi').normal(I, 0, 0.3)),
    g: Math.fround(-0.2),
    // repeated users and items, so the scatter-add sums duplicates; user 6 and item 4 never occur
    users: Int32Array.from(rng.fold('users').uniform(B), (u) => Math.floor(u * (U - 1))),
    items: Int32Array.from(rng.fold('items').uniform(B), (u) => Math.floor(u * (I - 1))),
    a: f32(rng.fold('a').uniform(B, 0, 3)),
    // negative weights too, as Rel-MF gives on clicks
    b: f32(rng.fold('b').uniform(B, -2, 1)),
    N: 17,
  };
}

type Kind = 'log' | 'squared' | 'regression';
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Example j's user, item, logit `z = b_u + b_i + g + P_u . Q_i` (float64) and loss weights. */
function example(p: Problem, j: number): { u: number; i: number; z: number; a: number; b: number } {
  const u = p.users[j] as number;
  const i = p.items[j] as number;
  let z = (p.bu[u] as number) + (p.bi[i] as number) + p.g;
  for (let k = 0; k < D; k++) z += (p.P[u * D + k] as number) * (p.Q[i * D + k] as number);
  return { u, i, z, a: p.a[j] as number, b: p.b[j] as number };
}

/** The objective in float64, written from its definition. */
function referenceLoss(p: Problem, kind: Kind, clip: number, l2: number): number {
  let loss = 0;
  for (let j = 0; j < B; j++) {
    const { z, a, b } = example(p, j);
    if (kind === 'regression') {
      loss += a * (z - b) ** 2;
      continue;
    }
    const zc = Math.min(clip, Math.max(-clip, z));
    loss += kind === 'log' ? a * softplus(-zc) + b * softplus(zc) : a * (1 - sigmoid(zc)) ** 2 + b * sigmoid(zc) ** 2;
  }
  let squares = 0;
  for (const x of p.P) squares += x * x;
  for (const x of p.Q) squares += x * x;
  return loss / p.N + 0.5 * l2 * squares;
}

/** Gradients in float64 by the chain rule (checked against finite differences below). */
function referenceGradients(p: Problem, kind: Kind, clip: number, l2: number) {
  const gP = Float64Array.from(p.P, (x) => l2 * x);
  const gQ = Float64Array.from(p.Q, (x) => l2 * x);
  const gbu = new Float64Array(U);
  const gbi = new Float64Array(I);
  let gg = 0;
  for (let j = 0; j < B; j++) {
    const { u, i, z, a, b } = example(p, j);
    let c: number;
    if (kind === 'regression') c = 2 * a * (z - b);
    else if (Math.abs(z) > clip) c = 0;
    else {
      const s = sigmoid(z);
      c = kind === 'log' ? a * (s - 1) + b * s : a * -2 * (1 - s) * s * (1 - s) + b * 2 * s * s * (1 - s);
    }
    c /= p.N;
    gbu[u]! += c;
    gbi[i]! += c;
    gg += c;
    for (let k = 0; k < D; k++) {
      gP[u * D + k]! += c * (p.Q[i * D + k] as number);
      gQ[i * D + k]! += c * (p.P[u * D + k] as number);
    }
  }
  return { gP, gQ, gbu, gbi, gg };
}

async function onDevice(p: Problem, kind: Kind, impl: 'fused' | 'reference', { clip = 30, l2 = 0.01 } = {}) {
  const model = new MatrixFactorization({ numUsers: U, numItems: I, dim: D, rng: Rng.fromSeed(0) });
  model.userEmbedding.assign(tf.tensor2d(Float32Array.from(p.P), [U, D]));
  model.itemEmbedding.assign(tf.tensor2d(Float32Array.from(p.Q), [I, D]));
  model.userBias!.assign(tf.tensor1d(Float32Array.from(p.bu)));
  model.itemBias!.assign(tf.tensor1d(Float32Array.from(p.bi)));
  model.globalBias!.assign(tf.tensor1d([p.g]));
  const batch: DeviceBatch = uploadBatch(model, p.users, p.items, { positive: Float32Array.from(p.a), negative: Float32Array.from(p.b), normaliser: p.N });
  const before = tf.memory().numTensors;
  const { loss, grads } =
    kind === 'regression'
      ? mfRegressionLossAndGradients(model, batch, { l2 })
      : mfLossAndGradients(model, batch, { loss: kind, impl, logitClip: clip, l2 });
  const n = model.names;
  const out = {
    loss: (await read(loss))[0] as number,
    gP: await read(grads[n.userEmbedding]!),
    gQ: await read(grads[n.itemEmbedding]!),
    gbu: await read(grads[n.userBias!]!),
    gbi: await read(grads[n.itemBias!]!),
    gg: (await read(grads[n.globalBias!]!))[0] as number,
    shapes: Object.values(grads).map((v) => v.shape),
    created: 0,
  };
  tf.dispose([loss, ...Object.values(grads)]);
  out.created = tf.memory().numTensors - before;
  batch.dispose();
  model.dispose();
  return out;
}

describe(`MF loss and gradients on ${testBackend}`, () => {
  it('the float64 reference gradients match central finite differences (checks the test itself)', () => {
    const p = problem(1);
    for (const kind of ['log', 'squared', 'regression'] as const) {
      const g = referenceGradients(p, kind, 30, 0.01);
      const h = 1e-6;
      const fd = (arr: Float64Array, k: number) => {
        const x = arr[k] as number;
        arr[k] = x + h;
        const up = referenceLoss(p, kind, 30, 0.01);
        arr[k] = x - h;
        const down = referenceLoss(p, kind, 30, 0.01);
        arr[k] = x;
        return (up - down) / (2 * h);
      };
      // central differences in float64: truncation O(h^2) and rounding O(eps / h): about 1e-9 here
      for (let k = 0; k < U * D; k++) expect(Math.abs(fd(p.P, k) - (g.gP[k] as number))).toBeLessThan(1e-7);
      for (let k = 0; k < I * D; k++) expect(Math.abs(fd(p.Q, k) - (g.gQ[k] as number))).toBeLessThan(1e-7);
      for (let k = 0; k < U; k++) expect(Math.abs(fd(p.bu, k) - (g.gbu[k] as number))).toBeLessThan(1e-7);
      const gFd = (() => {
        const x = p.g;
        p.g = x + h;
        const up = referenceLoss(p, kind, 30, 0.01);
        p.g = x - h;
        const down = referenceLoss(p, kind, 30, 0.01);
        p.g = x;
        return (up - down) / (2 * h);
      })();
      expect(Math.abs(gFd - g.gg)).toBeLessThan(1e-7);
    }
  });

  const cases: { kind: Kind; impl: 'fused' | 'reference'; clip?: number }[] = [
    { kind: 'log', impl: 'fused' },
    { kind: 'squared', impl: 'fused' },
    { kind: 'log', impl: 'fused', clip: 0.8 },
    { kind: 'squared', impl: 'fused', clip: 0.8 },
    { kind: 'regression', impl: 'fused' },
    { kind: 'log', impl: 'reference' },
    { kind: 'squared', impl: 'reference' },
    { kind: 'log', impl: 'reference', clip: 0.8 },
  ];
  for (const { kind, impl, clip = 30 } of cases) {
    it(`${impl} ${kind} loss (logitClip ${clip}) matches the float64 reference`, async () => {
      const p = problem(2);
      const got = await onDevice(p, kind, impl, { clip });
      const want = referenceGradients(p, kind, clip, 0.01);
      expectAllClose([got.loss], [referenceLoss(p, kind, clip, 0.01)], TOL);
      expectAllClose(got.gP, want.gP, TOL);
      expectAllClose(got.gQ, want.gQ, TOL);
      expectAllClose(got.gbu, want.gbu, TOL);
      expectAllClose(got.gbi, want.gbi, TOL);
      expectAllClose([got.gg], [want.gg], TOL);
      // rows never in the batch get only the L2 term (and a zero bias gradient)
      expect(got.gbu[U - 1]).toBe(0);
      expect(got.gbi[I - 1]).toBe(0);
      expect(got.created).toBe(0);
    });
  }

  it('fused and reference gradients agree with each other and have the variables shapes', async () => {
    const p = problem(3);
    const fused = await onDevice(p, 'log', 'fused');
    const reference = await onDevice(p, 'log', 'reference');
    expect(fused.shapes).toEqual([[U, D], [I, D], [U], [I], [1]]);
    expect(reference.shapes).toEqual(fused.shapes);
    expectAllClose(fused.gP, reference.gP, TOL);
    expectAllClose(fused.gQ, reference.gQ, TOL);
    expectAllClose([fused.loss], [reference.loss], TOL);
  });

  it('a NaN parameter makes the loss NaN (divergence is visible)', async () => {
    const p = problem(4);
    p.P[(p.users[0] as number) * D] = Number.NaN;
    const got = await onDevice(p, 'squared', 'fused', { l2: 0 });
    expect(got.loss).toBeNaN();
  });

  if (testBackend !== 'cpu') {
    afterAll(async () => {
      await useBackend(testBackend);
    });
    it(`fused gradients on ${testBackend} equal cpu's${testBackend === 'wasm' ? ' bit for bit' : ''}`, async () => {
      const p = problem(5);
      const here = await onDevice(p, 'log', 'fused');
      const hereSquared = await onDevice(p, 'squared', 'fused');
      await useBackend('cpu');
      const cpu = await onDevice(p, 'log', 'fused');
      const cpuSquared = await onDevice(p, 'squared', 'fused');
      await useBackend(testBackend);
      if (testBackend === 'wasm') {
        // the same JS loop over the same float32 inputs on both backends
        expect(here).toEqual(cpu);
        expect(hereSquared).toEqual(cpuSquared);
      } else {
        expectAllClose(here.gP, cpu.gP, TOL);
        expectAllClose(here.gQ, cpu.gQ, TOL);
        expectAllClose(hereSquared.gbu, cpuSquared.gbu, TOL);
      }
    });
  }
});

describe('rowIndex (the CSR index of the webgpu kernel)', () => {
  it('groups example indices by row, ascending within a row', () => {
    const { order, offsets } = rowIndex([2, 0, 2, 1, 0], 4);
    expect(Array.from(offsets)).toEqual([0, 2, 3, 5, 5]);
    expect(Array.from(order)).toEqual([1, 4, 3, 0, 2]);
  });
});

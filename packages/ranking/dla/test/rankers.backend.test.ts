import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { linearRanker, mlpRanker, propensityModel, relativePropensities, scoreLists } from '../src/index.js';
import { expectAllClose, expectUnbiasedError, read, seeded, testBackend } from './helpers.js';

/** Float64 dense layer: x [n, in] W [in, out] + b, then ELU (alpha 1) unless `linear`. */
function dense(x: number[][], w: number[], b: number[], out: number, elu: boolean): number[][] {
  return x.map((row) =>
    Array.from({ length: out }, (_, o) => {
      let s = b[o] as number;
      row.forEach((v, i) => {
        s += v * (w[i * out + o] as number);
      });
      return elu && s < 0 ? Math.exp(s) - 1 : s;
    }),
  );
}

describe(`rankers on ${testBackend}`, () => {
  it('linear and MLP rankers score [batch, list, features] like a float64 forward pass', async () => {
    const rand = seeded(3);
    const [b, l, d] = [3, 4, 5];
    const x = Array.from({ length: b * l * d }, () => 2 * rand() - 1);
    const features = tf.tensor3d(x, [b, l, d]);
    const rows = Array.from({ length: b * l }, (_, r) => x.slice(r * d, (r + 1) * d));

    const linear = linearRanker({ featureDim: d, init: 'glorot', rng: Rng.fromSeed(1), bias: true });
    const kernel = await read(linear.variables[Object.keys(linear.variables).find((n) => n.endsWith('kernel')) as string] as tf.Variable);
    const linearScores = linear.score(features);
    expect(linearScores.shape).toEqual([b, l]);
    expectAllClose(await read(linearScores), dense(rows, kernel, [0], 1, false).map((r) => r[0] as number), 1e-5, 1e-6);

    const mlp = mlpRanker({ featureDim: d, rng: Rng.fromSeed(2), hiddenUnits: [6, 3] });
    const names = Object.keys(mlp.variables);
    const layer = async (k: number) => ({
      w: await read(mlp.variables[names.find((n) => n.endsWith(`dense${k}/kernel`)) as string] as tf.Variable),
      bias: await read(mlp.variables[names.find((n) => n.endsWith(`dense${k}/bias`)) as string] as tf.Variable),
    });
    const [l0, l1, l2] = [await layer(0), await layer(1), await layer(2)];
    // ELU after every layer, the output included (DLA TF1 default).
    const want = dense(dense(dense(rows, l0.w, l0.bias, 6, true), l1.w, l1.bias, 3, true), l2.w, l2.bias, 1, true).map((r) => r[0] as number);
    const mlpScores = mlp.score(features);
    expectAllClose(await read(mlpScores), want, 1e-5, 1e-6);
    expect(Object.keys(mlp.variables).length).toBe(6);
    tf.dispose([features, linearScores, mlpScores]);
    linear.dispose();
    mlp.dispose();
  });

  it('scoreLists gives 0 at padded positions whatever their features hold, and the true logits elsewhere', async () => {
    const ranker = linearRanker({ featureDim: 2, init: 'glorot', rng: Rng.fromSeed(5) });
    const features = tf.tensor3d([1, 2, Number.NaN, 1e30, 0.5, -1, 3, Number.POSITIVE_INFINITY], [2, 2, 2]);
    const mask = tf.tensor2d([1, 0, 1, 0], [2, 2]);
    const scores = await read(scoreLists(ranker, features, mask));
    const w = await read(Object.values(ranker.variables)[0] as tf.Variable);
    expectAllClose(scores, [1 * (w[0] as number) + 2 * (w[1] as number), 0, 0.5 * (w[0] as number) - (w[1] as number), 0], 1e-6, 1e-7);
    ranker.dispose();
    tf.dispose([features, mask]);
  });

  it('the same seed gives the same MLP; propensity models start at no bias', async () => {
    const a = mlpRanker({ featureDim: 3, rng: Rng.fromSeed(9), hiddenUnits: [4] });
    const b = mlpRanker({ featureDim: 3, rng: Rng.fromSeed(9), hiddenUnits: [4] });
    const namesB = Object.keys(b.variables);
    for (const [i, na] of Object.keys(a.variables).entries()) {
      expect(await read(a.variables[na] as tf.Variable)).toEqual(await read(b.variables[namesB[i] as string] as tf.Variable));
    }
    const free = propensityModel({ listSize: 5 });
    expect(Array.from(await relativePropensities(free))).toEqual([1, 1, 1, 1, 1]);
    const net = propensityModel({ listSize: 5, architecture: { hiddenUnits: [8, 4] }, rng: Rng.fromSeed(1) });
    const logits = net.logits(3);
    expect(logits.shape).toEqual([3]);
    const p = await relativePropensities(net);
    expect(p.length).toBe(5);
    expect(p[0]).toBe(1);
    expectUnbiasedError(() => net.logits(6), 'LIST_TOO_LONG', 'n');
    tf.dispose(logits);
    for (const m of [a, b, free, net]) m.dispose();
  });

  it('bad options throw UnbiasedError naming the field', () => {
    expectUnbiasedError(() => linearRanker({ featureDim: 0 }), 'INVALID_HYPERPARAMETER', 'featureDim');
    expectUnbiasedError(() => linearRanker({ featureDim: 3, init: 'glorot' }), 'INVALID_ARGUMENT', 'rng');
    expectUnbiasedError(() => mlpRanker({ featureDim: 3, rng: Rng.fromSeed(1), hiddenUnits: [4, 0] }), 'INVALID_HYPERPARAMETER', 'hiddenUnits[1]');
    expectUnbiasedError(() => mlpRanker({ featureDim: 3, rng: Rng.fromSeed(1), activation: 'tanh' as 'elu' }), 'INVALID_ARGUMENT', 'activation');
    expectUnbiasedError(() => propensityModel({ listSize: 3, architecture: { hiddenUnits: [2] } }), 'INVALID_ARGUMENT', 'rng');
  });
});

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { memorySnapshot, testBackend } from '../../../../tooling/vitest/backend.js';
import {
  batchToTensors,
  disposeBatchTensors,
  FairRecModel,
  makeNewsBatch,
  maskedMean,
  newsIdCorpus,
  NewsIdEncoder,
  NrmsModel,
  NrmsTrainer,
  ParameterStore,
  ProjectedRecommender,
  scoreBatch,
} from '../src/index.js';
import { expectClose, read, seed } from './helpers.js';

const COUNT = 7;
const DIM = 3;
const vectors = () => Array.from(seed(40).normal(COUNT * DIM), (v) => Math.fround(v));

function idBatch(size = 5) {
  const rng = seed(41);
  const examples = Array.from({ length: size }, (_, u) => ({
    history: Array.from({ length: u === 0 ? 0 : 1 + rng.int(4) }, () => rng.int(COUNT)),
    candidates: Array.from({ length: 3 }, () => rng.int(COUNT)),
    attribute: u % 2,
  }));
  return { examples, batch: batchToTensors(makeNewsBatch(newsIdCorpus(COUNT), examples, { historyLength: 4, attributeClasses: 2 })) };
}

describe(`news-id encoder and mean pooling (${testBackend})`, () => {
  it('looks news up by id; a frozen table is no trainable variable and bad titles are refused', async () => {
    const store = new ParameterStore('id-encoder', seed(42));
    const values = vectors();
    const encoder = new NewsIdEncoder(store, { kind: 'id', vectors: values, dim: DIM });
    expect(Object.keys(store.variables())).toEqual([]);
    const ids = [3, 0, 6, 3];
    const out = await read(encoder.apply(tf.tensor2d(ids.map((i) => i + 1), [4, 1], 'int32')));
    expect(out).toEqual(ids.flatMap((i) => values.slice(i * DIM, (i + 1) * DIM)));
    expect(() => encoder.apply(tf.zeros([2, 2], 'int32') as tf.Tensor2D)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', field: 'tokens' }));
    expect(() => new NewsIdEncoder(store.scope('x'), { kind: 'id', vectors: [1, 2, 3], dim: 2 })).toThrow(expect.objectContaining({ field: 'news.vectors' }));
    expect(() => new NewsIdEncoder(store.scope('y'), { kind: 'id', vectors: [1, Number.NaN], dim: 2 })).toThrow(expect.objectContaining({ field: 'news.vectors' }));
    const trainable = new NewsIdEncoder(store.scope('t'), { kind: 'id', vectors: values, dim: DIM, trainable: true });
    expect(Object.keys(store.variables())).toEqual(['id-encoder/t/table']);
    expect(trainable.table.trainable).toBe(true);
    store.dispose();
  });

  it('maskedMean is the mean of the unmasked rows (float64 reference; no clicks -> zeros)', async () => {
    const rng = seed(43);
    const [B, H, D] = [4, 5, 3];
    const x = Array.from(rng.normal(B * H * D), (v) => Math.fround(v));
    const mask = [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0];
    const expected: number[] = [];
    for (let b = 0; b < B; b++) {
      const count = mask.slice(b * H, (b + 1) * H).reduce((s, m) => s + m, 0);
      for (let d = 0; d < D; d++) {
        let sum = 0;
        for (let h = 0; h < H; h++) sum += (mask[b * H + h] as number) * (x[(b * H + h) * D + d] as number);
        expected.push(count === 0 ? 0 : sum / count);
      }
    }
    expectClose(await read(maskedMean(tf.tensor3d(x, [B, H, D]), tf.tensor2d(mask, [B, H]))), expected, { rel: 1e-6, abs: 1e-7 });
  });

  it('the recipe models score u . e with fixed news vectors; training leaves the table untouched and leaks nothing', async () => {
    const values = vectors();
    const news = { kind: 'id' as const, vectors: values, dim: DIM };
    const user = { pooling: 'mean' as const, tower: { hidden: 4 } };
    const { examples, batch } = idBatch();
    const base = new NrmsModel({ rng: seed(44), news, user });
    // Float64 reference of the base's scores: tower(mean of history vectors) . e.
    const w = Object.fromEntries(await Promise.all(Object.entries(base.recommenderVariables()).map(async ([k, v]) => [k.split('/').slice(1).join('/'), await read(v)])));
    const dense = (xs: number[], kernel: number[], bias: number[], out: number, act: boolean) =>
      Array.from({ length: out }, (_, o) => {
        const s = xs.reduce((acc, xi, i) => acc + xi * (kernel[i * out + o] as number), bias[o] as number);
        return act ? Math.tanh(s) : s;
      });
    const expected = examples.flatMap(({ history, candidates }) => {
      const mean = Array.from({ length: DIM }, (_, d) => (history.length === 0 ? 0 : history.reduce((s, i) => s + (values[i * DIM + d] as number), 0) / history.length));
      const hidden = dense(mean, w['user/tower_hidden/kernel'], w['user/tower_hidden/bias'], 4, true);
      const u = dense(hidden, w['user/tower_output/kernel'], w['user/tower_output/bias'], DIM, false);
      return candidates.map((c) => u.reduce((s, ud, d) => s + ud * (values[c * DIM + d] as number), 0));
    });
    expectClose(await read(scoreBatch(base, batch)), expected, { rel: 1e-5, abs: 1e-6 });

    const trainer = new NrmsTrainer(base, { rng: seed(45) });
    trainer.step(batch).dispose();
    await trainer.flush(); // the optimizer's non-finite check is pending until flushed
    const snapshot = memorySnapshot();
    for (let i = 0; i < 3; i++) trainer.step(batch).dispose();
    await trainer.flush();
    expect(memorySnapshot()).toEqual(snapshot);
    expect(await read(base.newsEncoder.apply(tf.tensor2d([1, 2, 3, 4, 5, 6, 7], [7, 1], 'int32')))).toEqual(values);

    // The INLP wrapper: embedUsers = base u times the projector; the bias-aware branch of FairRec never matters.
    const p = Array.from(seed(46).normal(DIM * DIM));
    const projected = new ProjectedRecommender(base, p);
    const h = tf.tensor3d(Array.from(seed(47).normal(2 * 2 * DIM), Math.fround), [2, 2, DIM]);
    const m = tf.tensor2d([1, 1, 1, 0], [2, 2]);
    const u = await read(base.embedUsers(h, m));
    const expectedProjected = [0, 1].flatMap((r) => Array.from({ length: DIM }, (_, j) => u.slice(r * DIM, (r + 1) * DIM).reduce((s, ui, k) => s + ui * (p[k * DIM + j] as number), 0)));
    expectClose(await read(projected.embedUsers(h, m)), expectedProjected, { rel: 1e-5, abs: 1e-6 });
    expect(() => new ProjectedRecommender(base, [1, 2])).toThrow(expect.objectContaining({ field: 'projector' }));
    const fair = new FairRecModel({ rng: seed(48), news, biasFreeUser: user, biasAwareUser: { pooling: 'mean', tower: { hidden: 4, rank: 2 } } });
    expect(Object.keys(fair.recommenderVariables()).some((k) => k.includes('/news/'))).toBe(false);
    projected.dispose();
    trainer.dispose();
    base.dispose();
    fair.dispose();
    disposeBatchTensors(batch);
  });
});

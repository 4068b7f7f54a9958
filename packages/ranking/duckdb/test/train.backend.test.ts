import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { dlaLearner, linearRanker } from '@unbiased/ultr-dla';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertLetorShards, DuckDbEngine, parquetBatches } from '../src/index.js';
import { tempDir } from './helpers.js';

const QUERIES = 24;
const DOCS = 5;
const FEATURES = 4;

let tmp: ReturnType<typeof tempDir>;
let engine: DuckDbEngine;
/** Host copies of the data: features [Q, L, d] and clicks [Q, L], values exact in float32 (multiples of 1/8). */
const features: number[] = [];
const clicks: number[] = [];

beforeAll(async () => {
  tmp = tempDir();
  const lines: string[] = [];
  for (let q = 0; q < QUERIES; q++) {
    for (let i = 0; i < DOCS; i++) {
      const c = (q * 7 + i * 3) % 4 === 0 ? 1 : 0;
      const row = Array.from({ length: FEATURES }, (_, j) => ((q * 13 + i * 5 + j * 3) % 17) / 8 - 1);
      features.push(...row);
      clicks.push(c);
      lines.push(`${c} qid:${q + 1} ${row.map((v, j) => `${j + 1}:${v}`).join(' ')}`);
    }
  }
  writeFileSync(join(tmp.dir, 'clicks.txt'), `${lines.join('\n')}\n`);
  engine = await DuckDbEngine.create({ threads: 1 });
  await convertLetorShards([join(tmp.dir, 'clicks.txt')], { outDir: join(tmp.dir, 'pq'), numFeatures: FEATURES, engine });
});

afterAll(() => {
  engine?.close();
  tmp?.remove();
});

async function weights(learner: ReturnType<typeof dlaLearner>): Promise<number[]> {
  const out: number[] = [];
  for (const v of Object.values(learner.ranker.variables)) out.push(...(await v.data()));
  out.push(...(await learner.propensities()));
  return out;
}

describe('training from Parquet', () => {
  it('DLA steps on Parquet batches equal steps on the same in-memory arrays', async () => {
    const before = tf.memory().numTensors;
    const batchSize = 8;
    const fromParquet = dlaLearner({ ranker: linearRanker({ featureDim: FEATURES }), listSize: DOCS });
    for await (const batch of parquetBatches(join(tmp.dir, 'pq'), { batchSize, listSize: DOCS, lists: ['labels'], features: 'features', numFeatures: FEATURES, engine })) {
      const t = {
        features: tf.tensor3d(batch.features as Float32Array, [batch.size, DOCS, FEATURES]),
        clicks: tf.tensor2d(batch.lists.labels as Float32Array, [batch.size, DOCS]),
      };
      fromParquet.step(t);
      tf.dispose([t.features, t.clicks]);
    }
    const fromMemory = dlaLearner({ ranker: linearRanker({ featureDim: FEATURES }), listSize: DOCS });
    for (let start = 0; start < QUERIES; start += batchSize) {
      const t = {
        features: tf.tensor3d(features.slice(start * DOCS * FEATURES, (start + batchSize) * DOCS * FEATURES), [batchSize, DOCS, FEATURES]),
        clicks: tf.tensor2d(clicks.slice(start * DOCS, (start + batchSize) * DOCS), [batchSize, DOCS]),
      };
      fromMemory.step(t);
      tf.dispose([t.features, t.clicks]);
    }
    const a = await weights(fromParquet);
    const b = await weights(fromMemory);
    expect(a).toEqual(b);
    expect(a.some((v, i) => i < FEATURES && v !== 0)).toBe(true);
    for (const learner of [fromParquet, fromMemory]) {
      learner.dispose();
      learner.ranker.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('Rel-MF from Parquet interactions', () => {
  it('writes (query, document) interactions with ids, clicks and position propensities, and trains like the same in-memory pairs', async () => {
    const { Rng } = await import('@unbiased/core');
    const { MatrixFactorization, relMf, trainMatrixFactorization } = await import('@unbiased/recsys-relmf');
    const { convertBaiduShards, interactionBatches, writeGeneratedBaiduLog, writeInteractions } = await import('../src/index.js');
    const sessions = writeGeneratedBaiduLog(join(tmp.dir, 'part-00000.gz'), { sessions: 60, queries: 6, docsPerQuery: 8, listSize: 6, seed: 3 });
    await convertBaiduShards([join(tmp.dir, 'part-00000.gz')], { outDir: join(tmp.dir, 'baidu'), engine });
    const theta = [0.9, 0.7, 0.5, 0.4];
    const written = await writeInteractions(engine, join(tmp.dir, 'baidu'), join(tmp.dir, 'pairs.parquet'), { propensity: theta });
    // The same pairs built here: ids are ranks of the sorted distinct keys; rows sorted by (user, item, position, label).
    const rows: { q: string; d: string; p: number; c: number }[] = [];
    for (const s of sessions) for (let i = 0; i < s.position.length; i++) if (s.sentinel[i] === 0) rows.push({ q: s.queryKey, d: s.urlMd5[i] as string, p: s.position[i] as number, c: s.click[i] as number });
    const sortedUnique = (values: string[]) => [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const users = sortedUnique(rows.map((r) => r.q));
    const items = sortedUnique(rows.map((r) => r.d));
    const pairs = rows
      .map((r) => ({ u: users.indexOf(r.q), i: items.indexOf(r.d), p: r.p, c: r.c }))
      .sort((a, b) => a.u - b.u || a.i - b.i || a.p - b.p || a.c - b.c);
    expect(written).toEqual({ rows: pairs.length, numUsers: users.length, numItems: items.length });
    const batchSize = 64;
    const fromParquet: { users: Int32Array; items: Int32Array; labels: Float32Array; propensities: Float32Array }[] = [];
    for await (const batch of interactionBatches(join(tmp.dir, 'pairs.parquet'), { batchSize, engine })) fromParquet.push(batch);
    const fromMemory: typeof fromParquet = [];
    for (let start = 0; start < pairs.length; start += batchSize) {
      const slice = pairs.slice(start, start + batchSize);
      fromMemory.push({
        users: Int32Array.from(slice, (r) => r.u),
        items: Int32Array.from(slice, (r) => r.i),
        labels: Float32Array.from(slice, (r) => r.c),
        propensities: Float32Array.from(slice, (r) => theta[Math.min(r.p, theta.length) - 1] as number),
      });
    }
    expect(fromParquet).toEqual(fromMemory);
    const train = async (batches: typeof fromMemory) => {
      const model = new MatrixFactorization({ numUsers: users.length, numItems: items.length, dim: 3, rng: Rng.fromSeed(7) });
      await trainMatrixFactorization(model, { next: (step) => batches[step % batches.length] as (typeof batches)[number] }, { estimator: relMf(), steps: 6, learningRate: 0.05 });
      const values: number[] = [];
      for (const v of Object.values(model.variables)) values.push(...(await v.data()));
      model.dispose();
      return values;
    };
    const before = tf.memory().numTensors;
    expect(await train(fromParquet)).toEqual(await train(fromMemory));
    expect(tf.memory().numTensors).toBe(before);
  });
});

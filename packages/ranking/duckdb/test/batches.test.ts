import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as hyparquet from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertBaiduShards, convertLetorShards, DuckDbEngine, type GeneratedSession, type ParquetBatch, parquetBatches, writeGeneratedBaiduLog } from '../src/index.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let sessions: GeneratedSession[];
let engine: DuckDbEngine;

beforeAll(async () => {
  tmp = tempDir();
  const a = writeGeneratedBaiduLog(join(tmp.dir, 'part-00000.gz'), { sessions: 70, seed: 11, listSize: 10 });
  const b = writeGeneratedBaiduLog(join(tmp.dir, 'part-00001.gz'), { sessions: 45, seed: 12, listSize: 6, docsPerQuery: 6 });
  sessions = [...a, ...b];
  engine = await DuckDbEngine.create({ threads: 2 });
  await convertBaiduShards([join(tmp.dir, 'part-00000.gz'), join(tmp.dir, 'part-00001.gz')], { outDir: join(tmp.dir, 'pq'), engine });
});

afterAll(() => {
  engine?.close();
  tmp?.remove();
});

async function collect(iterator: AsyncIterable<ParquetBatch>): Promise<ParquetBatch[]> {
  const out: ParquetBatch[] = [];
  for await (const batch of iterator) out.push(batch);
  return out;
}

/** The padded [lists, L] arrays the batches must hold, built from the generated sessions. */
function expected(listSize: number): { click: number[]; position: number[]; mask: number[] } {
  const click: number[] = [];
  const position: number[] = [];
  const mask: number[] = [];
  for (const s of sessions) {
    for (let i = 0; i < listSize; i++) {
      const real = i < s.position.length;
      click.push(real ? (s.click[i] as number) : 0);
      position.push(real ? (s.position[i] as number) : 0);
      mask.push(real ? 1 : 0);
    }
  }
  return { click, position, mask };
}

function concat(batches: ParquetBatch[], pick: (b: ParquetBatch) => Float32Array): number[] {
  return batches.flatMap((b) => Array.from(pick(b)));
}

describe('parquetBatches', () => {
  const files = () => [join(tmp.dir, 'pq', 'part-00000.parquet'), join(tmp.dir, 'pq', 'part-00001.parquet')];

  it('streams padded click / position / mask arrays in file order (DuckDB)', async () => {
    const batches = await collect(parquetBatches(files(), { batchSize: 32, listSize: 8, lists: ['click', 'position'], engine }));
    expect(batches.map((b) => b.size)).toEqual([32, 32, 32, 19]);
    const want = expected(8);
    expect(concat(batches, (b) => b.lists.click as Float32Array)).toEqual(want.click);
    expect(concat(batches, (b) => b.lists.position as Float32Array)).toEqual(want.position);
    expect(concat(batches, (b) => b.mask)).toEqual(want.mask);
    expect(batches.flatMap((b) => Array.from(b.lengths))).toEqual(sessions.map((s) => s.position.length));
  });

  it('the hyparquet backend yields the same batches', async () => {
    const backend = { hyparquet, compressors };
    const duck = await collect(parquetBatches(files(), { batchSize: 50, listSize: 12, lists: ['click', 'position'], engine }));
    const js = await collect(parquetBatches(files(), { batchSize: 50, listSize: 12, lists: ['click', 'position'], backend }));
    expect(js.length).toBe(duck.length);
    js.forEach((b, k) => {
      const d = duck[k] as ParquetBatch;
      expect(b.size).toBe(d.size);
      expect(Array.from(b.mask)).toEqual(Array.from(d.mask));
      expect(Array.from(b.lists.click as Float32Array)).toEqual(Array.from(d.lists.click as Float32Array));
      expect(Array.from(b.lists.position as Float32Array)).toEqual(Array.from(d.lists.position as Float32Array));
    });
    expect(concat(js, (b) => b.lists.click as Float32Array)).toEqual(expected(12).click);
  });

  it('reads LETOR features as [B, L, d] float32 with labels', async () => {
    const lines = ['2 qid:1 1:0.5 2:-1.25 3:3', '0 qid:1 2:0.1', '1 qid:1 1:7', '4 qid:2 3:0.3333', '1 qid:3 1:1 2:2 3:3', '0 qid:3 1:-1'];
    writeFileSync(join(tmp.dir, 'train.txt'), `${lines.join('\n')}\n`);
    const [result] = await convertLetorShards([join(tmp.dir, 'train.txt')], { outDir: join(tmp.dir, 'letor'), numFeatures: 3, engine });
    expect(result).toMatchObject({ status: 'converted', rows: 3 });
    const [batch] = await collect(parquetBatches(join(tmp.dir, 'letor'), { batchSize: 4, listSize: 2, lists: ['labels'], features: 'features', numFeatures: 3, engine }));
    const f = Math.fround;
    expect(batch?.size).toBe(3);
    expect(Array.from(batch?.lists.labels as Float32Array)).toEqual([2, 0, 4, 0, 1, 0]);
    expect(Array.from(batch?.mask as Float32Array)).toEqual([1, 1, 1, 0, 1, 1]);
    expect(Array.from(batch?.features as Float32Array)).toEqual([0.5, -1.25, 3, 0, f(0.1), 0, 0, 0, f(0.3333), 0, 0, 0, 1, 2, 3, -1, 0, 0]);
    expect(Array.from(batch?.lengths as Int32Array)).toEqual([3, 1, 2]);
  });

  it('rejects bad options', () => {
    expect(() => parquetBatches(files(), { batchSize: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_HYPERPARAMETER' }));
    expect(() => parquetBatches(files(), { batchSize: 2, lists: ['click; DROP'] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', field: 'lists' }));
    expect(() => parquetBatches(files(), { batchSize: 2, features: 'features' })).toThrow(expect.objectContaining({ field: 'numFeatures' }));
  });
});

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fromText, readUltra, type UltraQuery } from '../src/index.js';
import { caught } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/ultra/${name}`, import.meta.url));
const sources = {
  feature: fixture('train.feature'),
  initList: fixture('train.init_list'),
  labels: fixture('train.labels'),
  initialScores: fixture('train.initial_scores'),
};
const f32 = (xs: number[]): number[] => xs.map((x) => Math.fround(x));

function plain(q: UltraQuery): unknown {
  const f = q.features;
  return {
    qid: q.qid,
    docIds: q.docIds,
    featureLines: Array.from(q.featureLines),
    labels: Array.from(q.labels),
    initialScores: q.initialScores === null ? null : Array.from(q.initialScores),
    line: q.line,
    features:
      f.kind === 'dense'
        ? { numFeatures: f.numFeatures, values: Array.from(f.values) }
        : { rowOffsets: Array.from(f.rowOffsets), featureIds: Array.from(f.featureIds), values: Array.from(f.values) },
  };
}

describe('readUltra', () => {
  it('joins init_list, labels, initial_scores and feature rows (0-based fids, displayed order)', async () => {
    const reader = readUltra(sources);
    const queries = (await reader.collect()).map(plain);
    expect(queries).toEqual([
      {
        qid: '1',
        docIds: ['train_1_1', 'train_1_2', 'train_1_3', 'train_1_4'],
        featureLines: [0, 1, 2, 3],
        labels: [2, 2, 1, 0],
        initialScores: [0.9, 0.8, 0.7, 0.6],
        line: 1,
        features: { rowOffsets: [0, 2, 3, 5, 6], featureIds: [10, 12, 0, 3, 12, 1], values: f32([-0.52, 0.88, 1.5, 0.25, 1, -2]) },
      },
      {
        qid: '2',
        // init_list "2 5 4": line 5 first, then line 4
        docIds: ['train_2_2', 'train_2_1'],
        featureLines: [5, 4],
        labels: [0, 3],
        initialScores: [1.5, -0.5],
        line: 2,
        features: { rowOffsets: [0, 2, 3], featureIds: [0, 1, 2], values: f32([0.125, 4, 0.5]) },
      },
    ]);
    expect(reader.summary).toMatchObject({ queries: 2, documents: 6 });
  });

  it('dense layout with numFeatures; gzip feature file; no initial scores', async () => {
    const gz = gzipSync(readFileSync(sources.feature));
    const [q1] = await readUltra({ feature: gz, initList: sources.initList, labels: sources.labels }, { numFeatures: 13 }).collect();
    const f = (q1 as UltraQuery).features;
    expect(f.kind).toBe('dense');
    if (f.kind !== 'dense') return;
    expect(f.values.length).toBe(4 * 13);
    expect(f.values[10]).toBe(Math.fround(-0.52));
    expect(f.values[13 + 0]).toBe(1.5);
    expect(f.values[3 * 13 + 1]).toBe(-2);
    expect((q1 as UltraQuery).initialScores).toBeNull();
  });

  it('a feature id beyond numFeatures', async () => {
    const e = await caught(() => readUltra(sources, { numFeatures: 12 }).collect());
    expect(e).toMatchObject({ code: 'FEATURE_ID_OUT_OF_RANGE', line: 1 });
    expect(e.message).toContain('expected a feature id in [0, 11], got 12');
  });

  it('qid and length mismatches between list files', async () => {
    const feature = sources.feature;
    const initList = fromText('1 0 1 2 3\n2 5 4\n');
    const e1 = await caught(() => readUltra({ feature, initList, labels: fromText('1 2 2 1 0\n3 0 3\n') }, { fileName: 'train.init_list' }).collect());
    expect(e1).toMatchObject({ code: 'ULTRA_QID_MISMATCH', line: 2 });
    expect(e1.message).toContain('has qid 2 but line 2 of <stream> has qid 3');
    const e2 = await caught(() => readUltra({ feature, initList: fromText('1 0 1 2 3\n'), labels: fromText('1 2 2 1\n') }).collect());
    expect(e2.code).toBe('ULTRA_LENGTH_MISMATCH');
    const e3 = await caught(() => readUltra({ feature, initList: fromText('1 0 1 2 3\n2 5 4\n'), labels: fromText('1 2 2 1 0\n') }).collect());
    expect(e3.code).toBe('ULTRA_LENGTH_MISMATCH');
  });

  it('a listed feature line past the end, or used twice', async () => {
    const past = await caught(() => readUltra({ feature: sources.feature, initList: fromText('1 0 9\n'), labels: fromText('1 1 0\n') }).collect());
    expect(past.code).toBe('ULTRA_FEATURE_LINE_MISSING');
    expect(past.message).toContain('past the end');
    const twice = fromText('1 0 1\n2 1 2\n');
    const labels = fromText('1 1 0\n2 1 0\n');
    expect((await caught(() => readUltra({ feature: sources.feature, initList: twice, labels }).collect())).message).toContain('already used');
    const reuse = await readUltra({ feature: sources.feature, initList: fromText('1 0 1\n2 1 2\n'), labels: fromText('1 1 0\n2 1 0\n') }, { reuseFeatureLines: true }).collect();
    expect(reuse.map((q) => q.docIds)).toEqual([
      ['train_1_1', 'train_1_2'],
      ['train_1_2', 'train_1_3'],
    ]);
  });

  it("malformed lines: throw with file and line, or skip the query and count the lines", async () => {
    const initList = () => fromText('1 0 1\n2 2 x\n3 3\n');
    const labels = () => fromText('1 1 0\n2 1 0\n3 4\n');
    const e = await caught(() => readUltra({ feature: sources.feature, initList: initList(), labels: labels() }, { fileName: 'valid.init_list' }).collect());
    expect(e).toMatchObject({ code: 'BAD_ULTRA_LINE', file: 'valid.init_list', line: 2 });
    expect(e.message).toContain('expected "<qid> <feature line#> ..." (a line number in each position), got "x" in position 2');
    const reader = readUltra({ feature: sources.feature, initList: initList(), labels: labels() }, { onError: 'skip' });
    expect((await reader.collect()).map((q) => q.qid)).toEqual(['1', '3']);
    expect(reader.summary.skippedLines).toBe(1);
    const badFeature = fromText('d0 1:1\nd1 1:oops\nd2 0:2\n');
    const skipRow = readUltra({ feature: badFeature, initList: fromText('1 0\n2 1\n3 2\n'), labels: fromText('1 1\n2 1\n3 1\n') }, { onError: 'skip' });
    expect((await skipRow.collect()).map((q) => q.qid)).toEqual(['1', '3']);
    expect(skipRow.summary.skipped[0]).toMatchObject({ line: 2, code: 'BAD_ULTRA_LINE' });
  });

  it('a list longer than maxListSize; a feature file out of query order within maxBufferedRows', async () => {
    expect((await caught(() => readUltra(sources, { maxListSize: 3 }).collect())).code).toBe('LIST_TOO_LONG');
    const e = await caught(() => readUltra({ feature: sources.feature, initList: fromText('1 5 0\n'), labels: fromText('1 0 1\n') }, { maxBufferedRows: 2 }).collect());
    expect(e.code).toBe('ULTRA_BUFFER_EXCEEDED');
    const ok = await readUltra({ feature: sources.feature, initList: fromText('1 5 0\n'), labels: fromText('1 0 1\n') }).collect();
    expect(ok[0]?.docIds).toEqual(['train_2_2', 'train_1_1']);
  });
});

import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clicksByPositionInMemory,
  convertBaiduShards,
  convertLetorShards,
  DuckDbEngine,
  type GeneratedSession,
  interventionHarvestingInMemory,
  mergeQdpTables,
  pbmEmInMemory,
  qdpStatisticsInMemory,
  randListPropensity,
  sessionMasks,
  writeGeneratedBaiduLog,
} from '../src/index.js';
import { expectClose, expectUnbiasedError, tempDir } from './helpers.js';

// ---------- independent float64 references (plain loops over the generated sessions) ----------

function refByPosition(sessions: GeneratedSession[], includeSentinels = false): { n: number[]; c: number[] } {
  const n: number[] = [];
  const c: number[] = [];
  for (const s of sessions) {
    for (let i = 0; i < s.position.length; i++) {
      if (!includeSentinels && s.sentinel[i] !== 0) continue;
      const p = (s.position[i] as number) - 1;
      while (n.length <= p) {
        n.push(0);
        c.push(0);
      }
      n[p]! += 1;
      c[p]! += s.click[i] as number;
    }
  }
  return { n, c };
}

type Stats = Map<string, { q: string; d: string; p: number; n: number; c: number }>;

function refStats(sessions: GeneratedSession[]): Stats {
  const map: Stats = new Map();
  for (const s of sessions) {
    for (let i = 0; i < s.position.length; i++) {
      if (s.sentinel[i] !== 0) continue;
      const key = JSON.stringify([s.queryKey, s.urlMd5[i], s.position[i]]);
      const e = map.get(key) ?? { q: s.queryKey, d: s.urlMd5[i] as string, p: s.position[i] as number, n: 0, c: 0 };
      e.n += 1;
      e.c += s.click[i] as number;
      map.set(key, e);
    }
  }
  return map;
}

function tableAsMap(t: { queryKey: string[]; urlMd5: string[]; position: Int32Array; impressions: Float64Array; clicks: Float64Array }): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (let r = 0; r < t.position.length; r++) out.set(JSON.stringify([t.queryKey[r], t.urlMd5[r], t.position[r]]), [t.impressions[r] as number, t.clicks[r] as number]);
  return out;
}

function statsAsMap(stats: Stats): Map<string, [number, number]> {
  return new Map([...stats].map(([k, v]) => [k, [v.n, v.c] as [number, number]]));
}

/** Ratio estimator against position 1 over the (q, d) pairs seen at both positions. */
function refHarvest(stats: Stats, positions: number): number[] {
  const ctr1 = new Map<string, number>();
  for (const e of stats.values()) if (e.p === 1) ctr1.set(`${e.q}|${e.d}`, e.c / e.n);
  const num = new Array(positions).fill(0);
  const den = new Array(positions).fill(0);
  for (const e of stats.values()) {
    const base = ctr1.get(`${e.q}|${e.d}`);
    if (base === undefined) continue;
    num[e.p - 1] += e.c / e.n;
    den[e.p - 1] += base;
  }
  return num.map((x, k) => x / den[k]);
}

/** PBM EM with per-(q, d) attractiveness, written from Chuklin et al. (2015), Section 4.2. */
function refPbmEm(stats: Stats, iterations: number): number[] {
  const rows = [...stats.values()];
  const positions = Math.max(...rows.map((r) => r.p));
  let theta = new Array(positions).fill(0.5);
  let gamma = new Map<string, number>(rows.map((r) => [`${r.q}|${r.d}`, 0.5]));
  for (let it = 0; it < iterations; it++) {
    const tn = new Array(positions).fill(0);
    const td = new Array(positions).fill(0);
    const gn = new Map<string, number>();
    const gd = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.q}|${r.d}`;
      const th = theta[r.p - 1];
      const g = gamma.get(key) as number;
      const miss = r.n - r.c;
      const examined = r.c + (miss === 0 ? 0 : (miss * th * (1 - g)) / (1 - th * g));
      const attracted = r.c + (miss === 0 ? 0 : (miss * g * (1 - th)) / (1 - th * g));
      tn[r.p - 1] += examined;
      td[r.p - 1] += r.n;
      gn.set(key, (gn.get(key) ?? 0) + attracted);
      gd.set(key, (gd.get(key) ?? 0) + r.n);
    }
    theta = tn.map((x, k) => x / td[k]);
    gamma = new Map([...gn].map(([k, v]) => [k, v / (gd.get(k) as number)]));
  }
  return theta.map((t) => t / theta[0]);
}

// ---------- fixtures ----------

let tmp: ReturnType<typeof tempDir>;
let shardA: GeneratedSession[];
let shardB: GeneratedSession[];
let all: GeneratedSession[];
let engine: DuckDbEngine;
let out: string;

beforeAll(async () => {
  tmp = tempDir();
  shardA = writeGeneratedBaiduLog(join(tmp.dir, 'part-00000.gz'), { sessions: 600, queries: 12, docsPerQuery: 12, seed: 1, sentinelRate: 0.05 });
  shardB = writeGeneratedBaiduLog(join(tmp.dir, 'part-00001.txt'), { sessions: 500, queries: 12, docsPerQuery: 12, seed: 2, sentinelRate: 0.05 });
  all = [...shardA, ...shardB];
  out = join(tmp.dir, 'parquet');
  engine = await DuckDbEngine.create({ memoryLimit: '256MB', threads: 2, tempDirectory: join(tmp.dir, 'spill') });
  const results = await convertBaiduShards([join(tmp.dir, 'part-00000.gz'), join(tmp.dir, 'part-00001.txt')], { outDir: out, engine });
  expect(results.map((r) => [r.status, r.rows])).toEqual([
    ['converted', 600],
    ['converted', 500],
  ]);
});

afterAll(() => {
  engine?.close();
  tmp?.remove();
});

describe('clicks by position', () => {
  it('DuckDB over Parquet equals the in-memory counts and the reference exactly', async () => {
    const counts = await engine.clicksByPosition(out);
    const ref = refByPosition(all);
    expect(Array.from(counts.impressions)).toEqual(ref.n);
    expect(Array.from(counts.clicks)).toEqual(ref.c);
    expect(counts.sessions).toBe(1100);
    const memory = clicksByPositionInMemory(all);
    expect(Array.from(memory.impressions)).toEqual(ref.n);
    expect(Array.from(memory.clicks)).toEqual(ref.c);
  });

  it('counts sentinel rows with sentinels: include', async () => {
    const counts = await engine.clicksByPosition(out, { sentinels: 'include' });
    const ref = refByPosition(all, true);
    expect(Array.from(counts.impressions)).toEqual(ref.n);
    expect(Array.from(counts.clicks)).toEqual(ref.c);
  });

  it('falls back to unnesting for repeated positions and positions past 32', async () => {
    const doc = (pos: number, url: string, click: number) => `${pos}\t${url}\t5\u00016\t7\t0\t${click}${'\t0'.repeat(26)}`;
    const text = ['9\t1\u00012\t-', doc(1, 'a', 1), doc(1, 'b', 0), doc(2, 'c', 1), '10\t3\t-', doc(35, 'd', 1), doc(3, 'e', 0), '11\t4\t-', doc(2, 'f', 1)].join('\n');
    writeFileSync(join(tmp.dir, 'odd.txt'), `${text}\n`);
    const [result] = await convertBaiduShards([join(tmp.dir, 'odd.txt')], { outDir: join(tmp.dir, 'odd'), engine });
    expect(result?.status).toBe('converted');
    const counts = await engine.clicksByPosition(join(tmp.dir, 'odd'));
    const impressions = new Array(35).fill(0);
    const clicks = new Array(35).fill(0);
    for (const [p, c] of [[1, 1], [1, 0], [2, 1], [35, 1], [3, 0], [2, 1]] as const) {
      impressions[p - 1]++;
      clicks[p - 1] += c;
    }
    expect(Array.from(counts.impressions)).toEqual(impressions);
    expect(Array.from(counts.clicks)).toEqual(clicks);
    expect(counts.sessions).toBe(3);
  });

  it('RandList propensities are CTR_k / CTR_1 of the counts', async () => {
    const est = randListPropensity(await engine.clicksByPosition(out));
    const ref = refByPosition(all);
    const ctr1 = (ref.c[0] as number) / (ref.n[0] as number);
    expectClose(est.propensity, ref.c.map((c, k) => c / (ref.n[k] as number) / ctr1), 1e-12);
  });

  it('bit masks hold every count when positions are distinct and <= 32 (property)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 12 }), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), (positions, flags) => {
        const click = positions.map((_, i) => (flags[i] ? 1 : 0));
        const sentinel = positions.map((_, i) => (i % 5 === 4 ? 1 : 0));
        const m = sessionMasks(positions, click, sentinel);
        const results = positions.filter((_, i) => sentinel[i] === 0);
        expect(m.exact).toBe(results.every((p) => p <= 32));
        for (let p = 1; p <= 32; p++) {
          const i = positions.findIndex((q, k) => q === p && sentinel[k] === 0);
          expect((m.shown >>> (p - 1)) & 1).toBe(i >= 0 ? 1 : 0);
          expect((m.clicked >>> (p - 1)) & 1).toBe(i >= 0 ? (click[i] as number) : 0);
        }
      }),
    );
  });
});

describe('(query, document, position) statistics', () => {
  it('per-shard statistics merge to the statistics of all sessions (exact)', async () => {
    const a = join(tmp.dir, 'stats-a.parquet');
    const b = join(tmp.dir, 'stats-b.parquet');
    await engine.writeStatistics(join(out, 'part-00000.parquet'), a);
    await engine.writeStatistics(join(out, 'part-00001.parquet'), b);
    const merged = join(tmp.dir, 'stats.parquet');
    const written = await engine.mergeStatistics([a, b], merged);
    const ref = refStats(all);
    expect(written.rows).toBe(ref.size);
    expect(written.impressions).toBe([...ref.values()].reduce((s, e) => s + e.n, 0));
    expect(tableAsMap(await engine.readStatistics(merged))).toEqual(statsAsMap(ref));
    expect(tableAsMap(qdpStatisticsInMemory(all))).toEqual(statsAsMap(ref));
    expect(tableAsMap(mergeQdpTables([qdpStatisticsInMemory(shardA), qdpStatisticsInMemory(shardB)]))).toEqual(statsAsMap(ref));
    // reading several files sums them too
    expect(tableAsMap(await engine.readStatistics([a, b]))).toEqual(statsAsMap(ref));
  });

  it('intervention harvesting: DuckDB, in-memory and the reference agree to 1e-9', async () => {
    const merged = join(tmp.dir, 'stats.parquet');
    const duck = await engine.interventionHarvesting(merged);
    const ref = refHarvest(refStats(all), 10);
    expectClose(duck.propensity, ref, 1e-9);
    expectClose(interventionHarvestingInMemory(qdpStatisticsInMemory(all)).propensity, ref, 1e-9);
    expect(duck.propensity[0]).toBe(1);
  });

  it('PBM-EM on the statistics table: DuckDB, in-memory and the reference agree to 1e-9', async () => {
    const merged = join(tmp.dir, 'stats.parquet');
    const ref = refPbmEm(refStats(all), 30);
    const duck = await engine.pbmEm(merged, { iterations: 30 });
    expectClose(duck.propensity, ref, 1e-9);
    expectClose(pbmEmInMemory(qdpStatisticsInMemory(all), { iterations: 30 }).propensity, ref, 1e-9);
  });

  it('rejects bad options', async () => {
    await expect(engine.pbmEm(join(tmp.dir, 'stats.parquet'), { iterations: 0 })).rejects.toMatchObject({ code: 'INVALID_HYPERPARAMETER' });
    await expect(DuckDbEngine.create({ memoryLimit: 'lots' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'memoryLimit' });
    await expect(engine.clicksByPosition(join(tmp.dir, 'missing.parquet'))).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
  });
});

describe('convert', () => {
  it('a corrupt shard fails alone with its file and line; finished shards are skipped on a rerun', async () => {
    const good = join(tmp.dir, 'c-00000.gz');
    const bad = join(tmp.dir, 'c-00001.txt');
    const later = join(tmp.dir, 'c-00002.txt');
    writeGeneratedBaiduLog(good, { sessions: 20, seed: 5 });
    const { text } = { text: `${'1\t5\u00016\t-\n'}${'1\tu\t5\t6\t0\t2'}${'\t0'.repeat(26)}\n` };
    writeFileSync(bad, text);
    writeGeneratedBaiduLog(later, { sessions: 30, seed: 6 });
    const dir = join(tmp.dir, 'corrupt');
    const first = await convertBaiduShards([good, bad, later], { outDir: dir, engine });
    expect(first.map((r) => r.status)).toEqual(['converted', 'failed', 'converted']);
    expectUnbiasedError(first[1]?.error, 'BAD_BAIDU_LINE', { file: bad, line: 2, field: 'click' });
    expect(readdirSync(dir).sort()).toEqual(['c-00000.parquet', 'c-00002.parquet']);
    const second = await convertBaiduShards([good, bad, later], { outDir: dir, engine });
    expect(second.map((r) => r.status)).toEqual(['skipped', 'failed', 'skipped']);
    expect((await engine.clicksByPosition(dir)).sessions).toBe(50);
    const forced = await convertBaiduShards([good], { outDir: dir, engine, force: true });
    expect(forced[0]?.status).toBe('converted');
    expect(existsSync(join(dir, 'c-00001.parquet'))).toBe(false);
  });

  it('rejects a missing output directory option and clashing shard names', async () => {
    await expect(convertBaiduShards(['x.gz'], { outDir: '' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'outDir' });
    await expect(convertBaiduShards(['a/p.gz', 'b/p.txt'], { outDir: join(tmp.dir, 'clash'), engine })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('a corrupt LETOR file fails alone with its file and line', async () => {
    const good = join(tmp.dir, 'fold-a.txt');
    const bad = join(tmp.dir, 'fold-b.txt');
    writeFileSync(good, '1 qid:1 1:0.5\n0 qid:1 2:1\n');
    writeFileSync(bad, '1 qid:1 1:0.5\n0 qid:1 2:x\n');
    const results = await convertLetorShards([bad, good], { outDir: join(tmp.dir, 'letor-bad'), numFeatures: 2, engine });
    expect(results.map((r) => [r.status, r.rows])).toEqual([
      ['failed', 0],
      ['converted', 1],
    ]);
    expect(results[0]?.error?.file).toBe(bad);
    expect(results[0]?.error?.line).toBe(2);
    expect(readdirSync(join(tmp.dir, 'letor-bad'))).toEqual(['fold-a.parquet']);
  });

  it('a missing input fails that shard with code IO', async () => {
    const [result] = await convertBaiduShards([join(tmp.dir, 'nope.gz')], { outDir: join(tmp.dir, 'nope'), engine });
    expect(result?.status).toBe('failed');
    expect(result?.error?.code).toBe('IO');
  });
});

/**
 * Perf suite `scale`: the data path of Baidu-scale click logs on generated Baidu-format logs, reported as
 * time per step for `n` sessions (sessions/s = n / median seconds) on this machine's cores.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PerfCase, PerfInstance, PerfSuite } from '@unbiased/core';
import { convertBaiduShards } from './convert/baidu.js';
import { DuckDbEngine } from './duckdb/engine.js';
import { sqlString } from './duckdb/sql.js';
import { writeGeneratedBaiduLog } from './generate.js';
import { parquetBatches } from './train/batches.js';

/** Sessions of the generated raw shard the `convert` case converts, at a perf `size`. */
export function convertSessions(size: number): number {
  return Math.max(1000, Math.round(size / 128));
}

/** Sessions of the Parquet file read by `clicks-by-position` and `train-batches` (= `size`). */
export function scanSessions(size: number): number {
  return Math.max(10_000, size);
}

/** Sessions of the file `qdp-statistics` aggregates (`size / 8`). */
export function statisticsSessions(size: number): number {
  return Math.max(10_000, Math.round(size / 8));
}

interface Fixture {
  dir: string;
  raw: string;
  big: string;
  medium: string;
}

const fixtures = new Map<number, Promise<Fixture>>();

/**
 * The generated data in `os.tmpdir()`: one raw gzip shard of {@link convertSessions} sessions, its Parquet
 * file replicated to {@link scanSessions} and {@link statisticsSessions} sessions. Each replica gets its
 * own query keys (`<query_key>#<replica>`), so the statistics have as many distinct keys as a log of that
 * many distinct query sessions would. Built once per size and process.
 */
export function scaleFixture(size: number): Promise<Fixture> {
  let fixture = fixtures.get(size);
  if (fixture === undefined) {
    fixture = (async () => {
      const dir = join(tmpdir(), `unbiased-scale-${size}`);
      mkdirSync(dir, { recursive: true });
      const raw = join(dir, 'part-00000.gz');
      if (!existsSync(raw)) writeGeneratedBaiduLog(raw, { sessions: convertSessions(size), queries: 2000, docsPerQuery: 20, seed: 0 });
      const engine = await DuckDbEngine.create();
      try {
        const baseDir = join(dir, 'base');
        await convertBaiduShards([raw], { outDir: baseDir, engine });
        const base = join(baseDir, 'part-00000.parquet');
        const replicate = async (sessions: number, name: string): Promise<string> => {
          const out = join(dir, name);
          if (!existsSync(out)) {
            const copies = Math.ceil(sessions / convertSessions(size));
            await engine.copyToParquet(
              `SELECT * REPLACE (query_key || '#' || r.range AS query_key) FROM read_parquet(${sqlString(base)}), range(${copies}) r LIMIT ${sessions}`,
              out,
              `write ${out}`,
            );
          }
          return out;
        };
        return { dir, raw, big: await replicate(scanSessions(size), 'big.parquet'), medium: await replicate(statisticsSessions(size), 'medium.parquet') };
      } finally {
        engine.close();
      }
    })();
    fixtures.set(size, fixture);
  }
  return fixture;
}

function engineCase(name: string, n: number, size: number, work: (engine: DuckDbEngine, fixture: Fixture) => Promise<number>): PerfCase {
  return {
    name,
    n,
    baseline: null,
    async setup(): Promise<PerfInstance> {
      const fixture = await scaleFixture(size);
      const engine = await DuckDbEngine.create();
      let sink = 0;
      return {
        async step() {
          sink += await work(engine, fixture);
        },
        async fence() {
          if (sink < 0) throw new Error('unreachable');
        },
        dispose() {
          engine.close();
        },
      };
    },
  };
}

/**
 * `unbiased perf scale`: on generated Baidu-format logs, with `n` sessions per step,
 * - `convert`: `convertBaiduShards` on one gzip shard (our streaming reader + DuckDB zstd Parquet write);
 * - `clicks-by-position`: `DuckDbEngine.clicksByPosition` over a Parquet file (goal >= 10M sessions/s on 2 cores);
 * - `qdp-statistics`: per-(query, document, position) statistics written to Parquet (goal >= 0.4M sessions/s);
 * - `train-batches`: `parquetBatches` (click and position lists, 256 x 10) over the same file (goal >= 5M rows/s).
 * Sessions/s is `n / (median ms / 1000)`; the title names the cores the machine offers.
 */
export const scalePerfSuite: PerfSuite = {
  id: 'scale',
  get title() {
    return `Baidu-scale data path on DuckDB (n = sessions per step; sessions/s = n / median s; ${availableParallelism()} cores)`;
  },
  packageName: '@unbiased/ultr-duckdb',
  cases(context) {
    const size = context.size;
    return [
      engineCase('convert', convertSessions(size), size, async (engine, fixture) => {
        const out = join(fixture.dir, 'convert-out');
        const [result] = await convertBaiduShards([fixture.raw], { outDir: out, engine, force: true });
        if (result?.status !== 'converted') throw result?.error ?? new Error('convert failed');
        rmSync(out, { recursive: true, force: true });
        return result.rows;
      }),
      engineCase('clicks-by-position', scanSessions(size), size, async (engine, fixture) => (await engine.clicksByPosition(fixture.big)).sessions),
      engineCase('qdp-statistics', statisticsSessions(size), size, async (engine, fixture) => {
        const out = join(fixture.dir, 'stats.parquet');
        const written = await engine.writeStatistics(fixture.medium, out);
        return written.rows;
      }),
      engineCase('train-batches', scanSessions(size), size, async (engine, fixture) => {
        let lists = 0;
        for await (const batch of parquetBatches(fixture.big, { batchSize: 256, listSize: 10, lists: ['click', 'position'], engine })) lists += batch.size;
        return lists;
      }),
    ];
  },
};

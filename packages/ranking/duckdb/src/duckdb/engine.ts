/**
 * The embedded DuckDB implementation of {@link Engine} (DuckDB: Raasveldt and Muehleisen, "DuckDB: an
 * Embeddable Analytical Database", SIGMOD 2019 demo). Statistics are SQL over Parquet; under a memory limit
 * DuckDB spills aggregation state to `tempDirectory`.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkInteger, invalidArgument, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import type { Engine, InterventionEstimate, ParquetInput, PbmEmOptions, PbmEmResult, PositionCounts, QdpTable, SentinelOptions, StatisticsWritten } from '../engine.js';
import { resolvePbmEmOptions } from '../stats/memory.js';
import { type DuckDbModule, loadDuckDb } from './load.js';
import { readParquet, sqlString } from './sql.js';

type Connection = Awaited<ReturnType<Awaited<ReturnType<DuckDbModule['DuckDBInstance']['create']>>['connect']>>;
type Instance = Awaited<ReturnType<DuckDbModule['DuckDBInstance']['create']>>;

/** Options of {@link DuckDbEngine.create}. */
export interface DuckDbEngineOptions {
  /** DuckDB `memory_limit`, e.g. `'2GB'`; default DuckDB's (80 % of RAM). Past it, aggregations spill to `tempDirectory`. */
  memoryLimit?: string;
  /** Worker threads; default DuckDB's (all cores). */
  threads?: number;
  /** Where spilled data goes; default DuckDB's (`<database>.tmp`, or `.tmp` for an in-memory database). */
  tempDirectory?: string;
  /** Database file; default `':memory:'` (inputs and outputs are Parquet, nothing needs to persist). */
  database?: string;
}

let counter = 0;

/** A unique temporary sibling path of `out` (same directory, so the final rename is atomic). */
export function temporarySibling(out: string): string {
  counter++;
  return join(dirname(out), `.${out.split(/[\\/]/).pop()}.tmp-${process.pid}-${counter}`);
}

function toNumber(value: unknown): number {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return Number.NaN;
  return Number(value);
}

/** Wraps a DuckDB failure as `ENGINE_ERROR` (reading a missing or corrupt Parquet file, a full disk, the memory limit). */
function engineError(error: unknown, what: string): UnbiasedError {
  if (isUnbiasedError(error)) return error;
  return new UnbiasedError('ENGINE_ERROR', `DuckDB failed to ${what}: ${(error as Error).message ?? String(error)}`, { cause: error });
}

/**
 * Click statistics on an embedded DuckDB. Create with `await DuckDbEngine.create(options)`; `close()` when done.
 * All methods read Parquet written by this package's converters (sessions) or by `writeStatistics`
 * (statistics: `query_key, url_md5, position, impressions, clicks`).
 */
export class DuckDbEngine implements Engine {
  readonly name = 'duckdb';
  private closed = false;

  private constructor(
    private readonly instance: Instance,
    /** The open connection (for this package's converters and batch readers). */
    readonly connection: Connection,
    /** The loaded `@duckdb/node-api` module. */
    readonly duckdb: DuckDbModule,
  ) {}

  /** Opens an embedded database; throws `BACKEND_PACKAGE_MISSING` when `@duckdb/node-api` is not installed. */
  static async create(options: DuckDbEngineOptions = {}): Promise<DuckDbEngine> {
    const duckdb = await loadDuckDb();
    const config: Record<string, string> = {};
    if (options.memoryLimit !== undefined) {
      if (typeof options.memoryLimit !== 'string' || !/^\s*\d+(\.\d+)?\s*[KMGT]?i?B\s*$/i.test(options.memoryLimit)) {
        invalidArgument('memoryLimit', `memoryLimit must look like '512MB' or '4GB'; got ${String(options.memoryLimit)}`);
      }
      config.memory_limit = options.memoryLimit;
    }
    if (options.threads !== undefined) config.threads = String(checkInteger('threads', options.threads, { min: 1 }));
    if (options.tempDirectory !== undefined) config.temp_directory = options.tempDirectory;
    try {
      const instance = await duckdb.DuckDBInstance.create(options.database ?? ':memory:', config);
      const connection = await instance.connect();
      return new DuckDbEngine(instance, connection, duckdb);
    } catch (error) {
      throw engineError(error, 'open a database');
    }
  }

  /** Runs `sql` and returns its rows (arrays of JS values; BIGINT as bigint). */
  async rows(sql: string, what = 'run a query'): Promise<unknown[][]> {
    this.checkOpen();
    try {
      const reader = await this.connection.runAndReadAll(sql);
      return reader.getRows() as unknown[][];
    } catch (error) {
      throw engineError(error, what);
    }
  }

  /** Runs a statement without reading results. */
  async run(sql: string, what = 'run a statement'): Promise<void> {
    this.checkOpen();
    try {
      await this.connection.run(sql);
    } catch (error) {
      throw engineError(error, what);
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new UnbiasedError('BAD_STATE', 'this DuckDbEngine is closed', { field: 'engine' });
  }

  /**
   * `COPY (query) TO out` as zstd Parquet through a temporary sibling renamed into place, so readers never
   * see a partial file and a killed job leaves no `out`.
   */
  async copyToParquet(query: string, out: string, what: string): Promise<void> {
    const temp = temporarySibling(out);
    mkdirSync(dirname(out), { recursive: true });
    try {
      await this.run(`COPY (${query}) TO ${sqlString(temp)} (FORMAT parquet, COMPRESSION zstd)`, what);
      renameSync(temp, out);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  async clicksByPosition(sessions: ParquetInput, options: SentinelOptions = {}): Promise<PositionCounts> {
    const mode = options.sentinels ?? 'exclude';
    if (mode !== 'exclude' && mode !== 'include') invalidArgument('sentinels', `sentinels must be 'exclude' or 'include'; got ${String(mode)}`);
    const src = readParquet(sessions);
    let impressions = new Float64Array(32);
    let clicks = new Float64Array(32);
    let max = 0;
    let count = 0;
    const add = (p: number, n: number, c: number): void => {
      if (p > impressions.length) {
        const grownI = new Float64Array(Math.max(p, 2 * impressions.length));
        grownI.set(impressions);
        const grownC = new Float64Array(grownI.length);
        grownC.set(clicks);
        impressions = grownI;
        clicks = grownC;
      }
      impressions[p - 1]! += n;
      clicks[p - 1]! += c;
      if (p > max) max = p;
    };
    // Fast path: sessions whose result positions are distinct and <= 32 carry bit masks of the shown and
    // clicked positions; grouping by the two masks leaves few groups, decoded here bit by bit.
    const exact = mode === 'exclude' ? 'mask_exact' : 'false';
    const groups = await this.rows(
      `SELECT ${exact} AS exact, CASE WHEN ${exact} THEN shown_mask ELSE 0 END AS shown, CASE WHEN ${exact} THEN click_mask ELSE 0 END AS clicked, count(*)::BIGINT AS n FROM ${src} GROUP BY ALL`,
      'count clicks by position',
    );
    let slow = false;
    for (const [isExact, shown, clicked, n] of groups) {
      const sessionsInGroup = toNumber(n);
      count += sessionsInGroup;
      if (isExact !== true) {
        slow = true;
        continue;
      }
      const s = toNumber(shown);
      const c = toNumber(clicked);
      for (let bit = 0; bit < 32; bit++) {
        if (((s >>> bit) & 1) === 1) add(bit + 1, sessionsInGroup, ((c >>> bit) & 1) * sessionsInGroup);
      }
    }
    if (slow) {
      const keep = mode === 'exclude' ? 'WHERE z = 0' : '';
      const rows = await this.rows(
        `SELECT p, count(*)::BIGINT, sum(c)::BIGINT FROM (SELECT unnest(position) AS p, unnest(click) AS c, unnest(sentinel) AS z FROM ${src} WHERE NOT ${exact}) ${keep} GROUP BY p`,
        'count clicks by position',
      );
      for (const [p, n, c] of rows) add(toNumber(p), toNumber(n), toNumber(c));
    }
    return { impressions: impressions.slice(0, max), clicks: clicks.slice(0, max), sessions: count };
  }

  /**
   * Impressions and clicks by position summed from statistics files (the marginal of the (query, document,
   * position) table over queries and documents); equal to {@link clicksByPosition} on the sessions they came from.
   */
  async positionCountsFromStatistics(statistics: ParquetInput): Promise<PositionCounts> {
    const rows = await this.rows(`SELECT position, sum(impressions)::BIGINT, sum(clicks)::BIGINT FROM ${readParquet(statistics)} GROUP BY position ORDER BY position`, 'sum statistics by position');
    const max = rows.length === 0 ? 0 : toNumber((rows[rows.length - 1] as unknown[])[0]);
    const impressions = new Float64Array(max);
    const clicks = new Float64Array(max);
    for (const [p, n, c] of rows) {
      impressions[toNumber(p) - 1] = toNumber(n);
      clicks[toNumber(p) - 1] = toNumber(c);
    }
    return { impressions, clicks, sessions: Number.NaN };
  }

  /** Whether Parquet input holds converted sessions (`'sessions'`), statistics (`'statistics'`) or neither (`'other'`), by its columns. */
  async inputKind(input: ParquetInput): Promise<'sessions' | 'statistics' | 'other'> {
    const rows = await this.rows(`DESCRIBE SELECT * FROM ${readParquet(input)}`, 'read the Parquet schema');
    const names = new Set(rows.map((r) => r[0] as string));
    if (names.has('shown_mask') && names.has('click') && names.has('query_key')) return 'sessions';
    if (names.has('impressions') && names.has('clicks') && names.has('query_key')) return 'statistics';
    return 'other';
  }

  /** The statistics query over sessions files (exported for the perf suite). */
  statisticsQuery(sessions: ParquetInput, options: SentinelOptions = {}): string {
    const mode = options.sentinels ?? 'exclude';
    if (mode !== 'exclude' && mode !== 'include') invalidArgument('sentinels', `sentinels must be 'exclude' or 'include'; got ${String(mode)}`);
    return `SELECT query_key, url_md5, position, count(*)::BIGINT AS impressions, sum(click)::BIGINT AS clicks FROM (SELECT query_key, unnest(url_md5) AS url_md5, unnest(position) AS position, unnest(click) AS click, unnest(sentinel) AS sentinel FROM ${readParquet(sessions)}) ${mode === 'exclude' ? 'WHERE sentinel = 0' : ''} GROUP BY ALL`;
  }

  private async summarise(out: string): Promise<StatisticsWritten> {
    const [row] = await this.rows(`SELECT count(*)::BIGINT, coalesce(sum(impressions), 0)::BIGINT, coalesce(sum(clicks), 0)::BIGINT FROM ${readParquet(out)}`, 'read back statistics');
    const [rows, impressions, clicks] = row as unknown[];
    return { rows: toNumber(rows), impressions: toNumber(impressions), clicks: toNumber(clicks) };
  }

  async writeStatistics(sessions: ParquetInput, out: string, options: SentinelOptions = {}): Promise<StatisticsWritten> {
    await this.copyToParquet(this.statisticsQuery(sessions, options), out, `write statistics to ${out}`);
    return this.summarise(out);
  }

  async mergeStatistics(statistics: ParquetInput, out: string): Promise<StatisticsWritten> {
    await this.copyToParquet(
      `SELECT query_key, url_md5, position, sum(impressions)::BIGINT AS impressions, sum(clicks)::BIGINT AS clicks FROM ${readParquet(statistics)} GROUP BY ALL`,
      out,
      `merge statistics into ${out}`,
    );
    return this.summarise(out);
  }

  async readStatistics(statistics: ParquetInput): Promise<QdpTable> {
    const rows = await this.rows(
      `SELECT query_key, url_md5, position, sum(impressions)::BIGINT, sum(clicks)::BIGINT FROM ${readParquet(statistics)} GROUP BY ALL ORDER BY query_key, url_md5, position`,
      'read statistics',
    );
    return {
      queryKey: rows.map((r) => r[0] as string),
      urlMd5: rows.map((r) => r[1] as string),
      position: Int32Array.from(rows, (r) => toNumber(r[2])),
      impressions: Float64Array.from(rows, (r) => toNumber(r[3])),
      clicks: Float64Array.from(rows, (r) => toNumber(r[4])),
    };
  }

  private aggregated(statistics: ParquetInput): string {
    return `SELECT query_key, url_md5, position, sum(impressions)::DOUBLE AS n, sum(clicks)::DOUBLE AS c FROM ${readParquet(statistics)} GROUP BY ALL`;
  }

  async interventionHarvesting(statistics: ParquetInput): Promise<InterventionEstimate> {
    const agg = this.aggregated(statistics);
    const [maxRow] = await this.rows(`SELECT coalesce(max(position), 0) FROM ${readParquet(statistics)}`, 'read statistics');
    const positions = toNumber((maxRow as unknown[])[0]);
    const rows = await this.rows(
      `WITH t AS (${agg}), f AS (SELECT query_key, url_md5, c / n AS ctr1 FROM t WHERE position = 1)
       SELECT t.position, sum(t.c / t.n), sum(f.ctr1), count(*)::BIGINT FROM t JOIN f ON t.query_key = f.query_key AND t.url_md5 = f.url_md5 GROUP BY t.position`,
      'estimate propensities by intervention harvesting',
    );
    const numerator = new Float64Array(positions);
    const denominator = new Float64Array(positions);
    const pairs = new Float64Array(positions);
    for (const [p, num, den, n] of rows) {
      const k = toNumber(p) - 1;
      numerator[k] = toNumber(num);
      denominator[k] = toNumber(den);
      pairs[k] = toNumber(n);
    }
    const propensity = new Float64Array(positions);
    for (let k = 0; k < positions; k++) propensity[k] = pairs[k] === 0 ? Number.NaN : (numerator[k] as number) / (denominator[k] as number);
    return { propensity, numerator, denominator, pairs };
  }

  async pbmEm(statistics: ParquetInput, options: PbmEmOptions = {}): Promise<PbmEmResult> {
    const { iterations, initialExamination, initialAttractiveness } = resolvePbmEmOptions(options);
    counter++;
    const p = `em_${process.pid}_${counter}`;
    const e = (expr: string): string => `CASE WHEN n = c THEN c ELSE c + (n - c) * ${expr} / (1 - th * g) END`;
    try {
      await this.run(
        `CREATE TEMP TABLE ${p}_t AS SELECT (dense_rank() OVER (ORDER BY query_key, url_md5) - 1)::BIGINT AS qd, position, n, c FROM (${this.aggregated(statistics)})`,
        'prepare PBM-EM',
      );
      await this.run(`CREATE TEMP TABLE ${p}_theta AS SELECT DISTINCT position, ${initialExamination}::DOUBLE AS v FROM ${p}_t`, 'prepare PBM-EM');
      await this.run(`CREATE TEMP TABLE ${p}_gamma AS SELECT DISTINCT qd, ${initialAttractiveness}::DOUBLE AS v FROM ${p}_t`, 'prepare PBM-EM');
      for (let it = 0; it < iterations; it++) {
        await this.run(
          `CREATE OR REPLACE TEMP TABLE ${p}_e AS SELECT t.position, t.qd, t.n, t.c, th.v AS th, g.v AS g FROM ${p}_t t JOIN ${p}_theta th ON t.position = th.position JOIN ${p}_gamma g ON t.qd = g.qd`,
          'run a PBM-EM iteration',
        );
        await this.run(`CREATE OR REPLACE TEMP TABLE ${p}_theta AS SELECT position, sum(${e('th * (1 - g)')}) / sum(n) AS v FROM ${p}_e GROUP BY position`, 'run a PBM-EM iteration');
        await this.run(`CREATE OR REPLACE TEMP TABLE ${p}_gamma AS SELECT qd, sum(${e('g * (1 - th)')}) / sum(n) AS v FROM ${p}_e GROUP BY qd`, 'run a PBM-EM iteration');
      }
      const rows = await this.rows(`SELECT position, v FROM ${p}_theta ORDER BY position`, 'read PBM-EM results');
      const positions = rows.length === 0 ? 0 : toNumber((rows[rows.length - 1] as unknown[])[0]);
      const examination = new Float64Array(positions).fill(Number.NaN);
      for (const [position, v] of rows) examination[toNumber(position) - 1] = toNumber(v);
      const propensity = examination.map((t) => t / (examination[0] as number));
      return { examination, propensity, iterations };
    } finally {
      for (const suffix of ['t', 'theta', 'gamma', 'e']) await this.run(`DROP TABLE IF EXISTS ${p}_${suffix}`, 'clean up PBM-EM').catch(() => {});
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

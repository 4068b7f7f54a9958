/**
 * Baidu-ULTR click logs (Zou et al., "A Large Scale Search Dataset for Unbiased Learning to Rank",
 * NeurIPS 2022 Datasets and Benchmarks) to Parquet: one session per row, typed list columns, zstd.
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { type BaiduLogReadOptions, type BaiduSession, readBaiduLogs } from '@unbiased/ultr-data';
import type { DuckDbEngine } from '../duckdb/engine.js';
import { type ConvertOptions, convertShards, countingSource, type ShardResult } from './shards.js';

/**
 * Columns of a converted Baidu shard, one row per session:
 * `line` (1-based line of the query line in the raw shard), `qid`, `query_key` (qid, tab, raw query:
 * the query identity), `query` (token ids + offset), `query_reformulation`, `n_docs`, then one list entry
 * per displayed document in log order: `position`, `url_md5`, `click` (0/1), `sentinel` (0 result,
 * 1 missing document, 2 "others searched"), `multimedia_type`, `dwelling_time` (NaN for `-`); then
 * `shown_mask` / `click_mask` (bit k-1 set when a result was shown / clicked at position k) with
 * `mask_exact` (true when the session's result positions are distinct and <= 32, so the masks hold every
 * count). With `tokens: true` also `title` and `abstract` (lists of token-id lists).
 */
export const BAIDU_PARQUET_COLUMNS = [
  'line',
  'qid',
  'query_key',
  'query',
  'query_reformulation',
  'n_docs',
  'position',
  'url_md5',
  'click',
  'sentinel',
  'multimedia_type',
  'dwelling_time',
  'shown_mask',
  'click_mask',
  'mask_exact',
] as const;

/** Options of {@link convertBaiduShards}. */
export interface BaiduConvertOptions extends ConvertOptions {
  /** Also store the title and abstract token ids (large: the bulk of the raw data); default false. */
  tokens?: boolean;
  /** Passed to the streaming reader (`tokenOffset`, `maxListSize`, `onError`, ...); sentinels are always kept and flagged. */
  read?: Omit<BaiduLogReadOptions, 'fileName' | 'sentinels'>;
}

/** Staging columns: lists travel as text (numbers joined by spaces, strings by 0x01) and DuckDB parses them in bulk. */
function createSql(table: string): string {
  return `CREATE TABLE ${table} (line INTEGER, qid VARCHAR, query_key VARCHAR, query VARCHAR, query_reformulation VARCHAR, n_docs INTEGER,
    position VARCHAR, url_md5 VARCHAR, click VARCHAR, sentinel VARCHAR, multimedia_type VARCHAR, dwelling_time VARCHAR,
    shown_mask UINTEGER, click_mask UINTEGER, mask_exact BOOLEAN, title VARCHAR, abstract VARCHAR)`;
}

/** A space-joined list of numbers back to a typed list (an empty text is an empty list). */
function numbers(column: string, type: string): string {
  return `CASE WHEN ${column} = '' THEN []::${type}[] ELSE string_split(${column}, ' ')::${type}[] END AS ${column}`;
}

/** Token lists joined by ';' (documents) and ' ' (tokens) back to INTEGER[][]. */
function tokenLists(column: string): string {
  return `CASE WHEN n_docs = 0 THEN []::INTEGER[][] ELSE list_transform(string_split(${column}, ';'), x -> CASE WHEN x = '' THEN []::INTEGER[] ELSE string_split(x, ' ')::INTEGER[] END) END AS ${column}`;
}

function selectSql(table: string, tokens: boolean): string {
  return `SELECT line, qid, query_key, ${numbers('query', 'INTEGER')}, query_reformulation, n_docs, ${numbers('position', 'INTEGER')},
    CASE WHEN n_docs = 0 THEN []::VARCHAR[] ELSE string_split(url_md5, chr(1)) END AS url_md5, ${numbers('click', 'UTINYINT')}, ${numbers('sentinel', 'UTINYINT')},
    ${numbers('multimedia_type', 'INTEGER')}, ${numbers('dwelling_time', 'DOUBLE')}, shown_mask, click_mask, mask_exact${tokens ? `, ${tokenLists('title')}, ${tokenLists('abstract')}` : ''} FROM ${table}`;
}

let tables = 0;

/** Bit masks of the result positions shown and clicked; `exact` false when a position repeats or exceeds 32. */
export function sessionMasks(position: ArrayLike<number>, click: ArrayLike<number>, sentinel: ArrayLike<number>): { shown: number; clicked: number; exact: boolean } {
  let shown = 0;
  let clicked = 0;
  let exact = true;
  for (let i = 0; i < position.length; i++) {
    if (sentinel[i] !== 0) continue;
    const p = position[i] as number;
    if (p > 32) {
      exact = false;
      continue;
    }
    const bit = 1 << (p - 1);
    if ((shown & bit) !== 0) exact = false;
    shown |= bit;
    if (click[i] === 1) clicked |= bit;
  }
  return { shown: shown >>> 0, clicked: clicked >>> 0, exact };
}

function joinTokens(column: BaiduSession['title'], n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(column.tokens.subarray(column.offsets[i], column.offsets[i + 1]).join(' '));
  return parts.join(';');
}

/** Converts one raw shard (gzip or plain) into `output` through `engine`; returns the sessions written. */
export async function convertBaiduShard(
  input: string,
  output: string,
  engine: DuckDbEngine,
  options: Pick<BaiduConvertOptions, 'tokens' | 'read'> = {},
  progress: (fraction: number, rows: number) => void = () => {},
): Promise<number> {
  const tokens = options.tokens === true;
  tables++;
  const table = `baidu_${process.pid}_${tables}`;
  let fraction = 0;
  let rows = 0;
  const reader = readBaiduLogs(
    countingSource(input, (read, total) => {
      fraction = total === 0 ? 1 : read / total;
    }),
    { ...options.read, fileName: input, sentinels: 'flag' },
  );
  await engine.run(createSql(table), 'create a staging table');
  let appender: Awaited<ReturnType<typeof engine.connection.createAppender>> | undefined;
  try {
    appender = await engine.connection.createAppender(table);
    for await (const s of reader) {
      for (const url of s.urlMd5) {
        if (url.includes('\u0001')) {
          throw new UnbiasedError('BAD_BAIDU_LINE', `${input}:${s.line}: a url_md5 of the session of qid ${s.qid} contains byte 0x01`, { file: input, line: s.line, field: 'urlMd5' });
        }
      }
      const masks = sessionMasks(s.position, s.click, s.sentinel);
      appender.appendInteger(s.line);
      appender.appendVarchar(s.qid);
      appender.appendVarchar(s.queryKey);
      appender.appendVarchar(s.query.join(' '));
      if (s.queryReformulation === null) appender.appendNull();
      else appender.appendVarchar(s.queryReformulation);
      appender.appendInteger(s.size);
      appender.appendVarchar(s.position.join(' '));
      appender.appendVarchar(s.urlMd5.join('\u0001'));
      appender.appendVarchar(s.click.join(' '));
      appender.appendVarchar(s.sentinel.join(' '));
      appender.appendVarchar(s.multimediaType.join(' '));
      appender.appendVarchar(s.columns.dwellingTime.join(' '));
      appender.appendUInteger(masks.shown);
      appender.appendUInteger(masks.clicked);
      appender.appendBoolean(masks.exact);
      if (tokens) {
        appender.appendVarchar(joinTokens(s.title, s.size));
        appender.appendVarchar(joinTokens(s.abstract, s.size));
      } else {
        appender.appendNull();
        appender.appendNull();
      }
      appender.endRow();
      rows++;
      if ((rows & 4095) === 0) progress(fraction, rows);
    }
    appender.closeSync();
    appender = undefined;
    await engine.copyToParquet(selectSql(table, tokens), output, `write ${output}`);
    progress(1, rows);
    return rows;
  } finally {
    try {
      appender?.closeSync();
    } catch {
      // the appender failed with the shard; the table is dropped below
    }
    await engine.run(`DROP TABLE IF EXISTS ${table}`, 'drop the staging table');
  }
}

/**
 * Converts raw Baidu-ULTR shards (`part-XXXXX.gz`) to one Parquet file each in `outDir`
 * (`part-XXXXX.parquet`; columns {@link BAIDU_PARQUET_COLUMNS}), streaming each shard through
 * `readBaiduLogs` of `@unbiased/ultr-data` into DuckDB and writing zstd Parquet. Idempotent per shard:
 * existing outputs are skipped unless `force`; each output appears atomically (temporary file + rename).
 * A corrupt shard fails alone: its result holds the reader's `UnbiasedError` (file, line, field) and the
 * other shards are still converted. Run it once per shard from GNU parallel or a SLURM array to spread
 * the work over machines.
 */
export function convertBaiduShards(inputs: readonly string[], options: BaiduConvertOptions): Promise<ShardResult[]> {
  return convertShards(inputs, options, (input, output, engine, progress) => convertBaiduShard(input, output, engine, options, progress));
}

/**
 * LETOR / SVMlight files (`<label> qid:<q> <fid>:<v> ...`; Qin and Liu, "Introducing LETOR 4.0 Datasets",
 * 2013) to Parquet: one query per row with its labels and dense features.
 */
import { checkInteger } from '@unbiased/core/errors';
import { readSvmlight, type SvmlightReadOptions } from '@unbiased/ultr-data';
import type { DuckDbEngine } from '../duckdb/engine.js';
import { type ConvertOptions, convertShards, countingSource, type ShardResult } from './shards.js';

/** Options of {@link convertLetorShards}. */
export interface LetorConvertOptions extends ConvertOptions {
  /** Feature columns (MSLR-WEB: 136; Yahoo! set 1: 700). Required: rows are stored dense. */
  numFeatures: number;
  /** Passed to the streaming reader (`featureIdBase`, `maxListSize`, `onError`, ...). */
  read?: Omit<SvmlightReadOptions, 'fileName' | 'numFeatures' | 'layout'>;
}

let tables = 0;

/**
 * Converts one LETOR file into `output`: columns `qid`, `line` (first line of the query), `n_docs`,
 * `labels` (DOUBLE[], one per document), `features` (FLOAT[], `n_docs * num_features` values, row-major)
 * and `num_features`. Returns the queries written.
 */
export async function convertLetorShard(
  input: string,
  output: string,
  engine: DuckDbEngine,
  options: Pick<LetorConvertOptions, 'numFeatures' | 'read'>,
  progress: (fraction: number, rows: number) => void = () => {},
): Promise<number> {
  const numFeatures = checkInteger('numFeatures', options.numFeatures, { min: 1 });
  tables++;
  const table = `letor_${process.pid}_${tables}`;
  let fraction = 0;
  let rows = 0;
  const reader = readSvmlight(
    countingSource(input, (read, total) => {
      fraction = total === 0 ? 1 : read / total;
    }),
    { ...options.read, fileName: input, numFeatures, layout: 'dense' },
  );
  await engine.run(`CREATE TABLE ${table} (qid VARCHAR, line INTEGER, n_docs INTEGER, labels VARCHAR, features VARCHAR, num_features INTEGER)`, 'create a staging table');
  let appender: Awaited<ReturnType<typeof engine.connection.createAppender>> | undefined;
  try {
    appender = await engine.connection.createAppender(table);
    for await (const q of reader) {
      if (q.features.kind !== 'dense') throw new Error('expected dense features');
      appender.appendVarchar(q.qid);
      appender.appendInteger(q.line);
      appender.appendInteger(q.size);
      appender.appendVarchar(q.labels.join(' '));
      appender.appendVarchar(q.features.values.join(' '));
      appender.appendInteger(numFeatures);
      appender.endRow();
      rows++;
      if ((rows & 1023) === 0) progress(fraction, rows);
    }
    appender.closeSync();
    appender = undefined;
    await engine.copyToParquet(
      `SELECT qid, line, n_docs, CASE WHEN n_docs = 0 THEN []::DOUBLE[] ELSE string_split(labels, ' ')::DOUBLE[] END AS labels, CASE WHEN n_docs = 0 THEN []::FLOAT[] ELSE string_split(features, ' ')::FLOAT[] END AS features, num_features FROM ${table}`, output, `write ${output}`);
    progress(1, rows);
    return rows;
  } finally {
    try {
      appender?.closeSync();
    } catch {
      // failed with the shard
    }
    await engine.run(`DROP TABLE IF EXISTS ${table}`, 'drop the staging table');
  }
}

/**
 * Converts LETOR / SVMlight files to one Parquet file each in `outDir` (see {@link convertLetorShard}),
 * with the same per-shard semantics as `convertBaiduShards`: idempotent, atomic, a bad file fails alone
 * with its file and line.
 */
export function convertLetorShards(inputs: readonly string[], options: LetorConvertOptions): Promise<ShardResult[]> {
  return convertShards(inputs, options, (input, output, engine, progress) => convertLetorShard(input, output, engine, options, progress));
}

/**
 * The per-shard driver shared by the converters: one raw shard becomes one Parquet file, written through
 * a temporary sibling and renamed into place (atomic), skipped when it already exists (idempotent), so any
 * job scheduler can run shards in any order, twice, or concurrently on different machines.
 */
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { invalidArgument, isUnbiasedError, UnbiasedError } from '@unbiased/core/errors';
import type { ByteSource } from '@unbiased/ultr-data';
import { DuckDbEngine, type DuckDbEngineOptions } from '../duckdb/engine.js';

/** Options every converter takes. */
export interface ConvertOptions extends DuckDbEngineOptions {
  /** Output directory (created if missing). Required. */
  outDir: string;
  /** Rewrite shards whose Parquet file already exists; default false (skip them). */
  force?: boolean;
  /** An open engine to write through; default one opened (and closed) for this call. */
  engine?: DuckDbEngine;
  /** Progress of each shard: fraction of its (compressed) bytes read, and rows converted so far. */
  onProgress?: (input: string, fraction: number, rows: number) => void;
  /** Called when a shard is done (converted, skipped or failed). */
  onShardDone?: (result: ShardResult) => void;
}

/** What happened to one shard. */
export interface ShardResult {
  input: string;
  output: string;
  status: 'converted' | 'skipped' | 'failed';
  /** Rows written (sessions for Baidu logs, queries for LETOR); 0 when skipped or failed. */
  rows: number;
  /** Why it failed: an `UnbiasedError` with the file and, for bad lines, the line. */
  error?: UnbiasedError;
}

/** `<outDir>/<input name without .gz / .txt>.parquet`. */
export function shardOutput(input: string, outDir: string): string {
  const name = basename(input).replace(/\.gz$/i, '').replace(/\.(txt|tsv|svm|libsvm)$/i, '');
  return join(outDir, `${name}.parquet`);
}

/** A file read in 1 MiB chunks that reports the bytes read so far. */
export function countingSource(path: string, onBytes: (read: number, total: number) => void): ByteSource {
  return {
    async *[Symbol.asyncIterator]() {
      const total = statSync(path).size;
      let read = 0;
      for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
        read += (chunk as Uint8Array).length;
        onBytes(read, total);
        yield chunk as Uint8Array;
      }
    },
  };
}

/**
 * Converts each input with `convertOne(input, temporary output, engine, progress)`: shards run one after
 * another; a shard that throws is recorded as failed (with its file and line) and the others go on.
 */
export async function convertShards(
  inputs: readonly string[],
  options: ConvertOptions,
  convertOne: (input: string, output: string, engine: DuckDbEngine, progress: (fraction: number, rows: number) => void) => Promise<number>,
): Promise<ShardResult[]> {
  if (!Array.isArray(inputs) || inputs.length === 0) invalidArgument('inputs', 'expected at least one input shard');
  if (options === null || typeof options !== 'object' || typeof options.outDir !== 'string' || options.outDir.length === 0) {
    invalidArgument('outDir', 'convert needs options.outDir, the output directory');
  }
  mkdirSync(options.outDir, { recursive: true });
  const outputs = inputs.map((input) => shardOutput(input, options.outDir));
  const seen = new Map<string, string>();
  outputs.forEach((output, i) => {
    const other = seen.get(output);
    if (other !== undefined) invalidArgument('inputs', `${other} and ${inputs[i]} would both be written to ${output}; give shards distinct names`);
    seen.set(output, inputs[i] as string);
  });
  const engine = options.engine ?? (await DuckDbEngine.create(options));
  const results: ShardResult[] = [];
  try {
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i] as string;
      const output = outputs[i] as string;
      let result: ShardResult;
      if (!options.force && existsSync(output)) result = { input, output, status: 'skipped', rows: 0 };
      else {
        try {
          const rows = await convertOne(input, output, engine, (fraction, rows) => options.onProgress?.(input, fraction, rows));
          result = { input, output, status: 'converted', rows };
        } catch (error) {
          const wrapped = isUnbiasedError(error)
            ? error
            : new UnbiasedError('CONVERT_FAILED', `${input}: ${(error as Error).message ?? String(error)}`, { file: input, cause: error });
          result = { input, output, status: 'failed', rows: 0, error: wrapped };
        }
      }
      results.push(result);
      options.onShardDone?.(result);
    }
  } finally {
    if (options.engine === undefined) engine.close();
  }
  return results;
}

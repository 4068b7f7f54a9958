/** SQL text helpers for the DuckDB engine. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { invalidArgument } from '@unbiased/core/errors';
import type { ParquetInput } from '../engine.js';

/** A SQL string literal: `'...'` with embedded quotes doubled. */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** The Parquet paths of an input: a directory becomes `<dir>/*.parquet`; files and globs pass through. */
export function parquetPaths(input: ParquetInput): string[] {
  const list = typeof input === 'string' ? [input] : [...input];
  if (list.length === 0) invalidArgument('input', 'expected at least one Parquet file, glob or directory');
  return list.map((path) => {
    if (typeof path !== 'string' || path.length === 0) invalidArgument('input', `expected a non-empty path; got ${String(path)}`);
    try {
      if (statSync(path).isDirectory()) return join(path, '*.parquet');
    } catch {
      // a glob or a missing file: DuckDB reports it
    }
    return path;
  });
}

/** `read_parquet([...])` over an input. */
export function readParquet(input: ParquetInput): string {
  return `read_parquet([${parquetPaths(input).map(sqlString).join(', ')}])`;
}

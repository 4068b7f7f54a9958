/**
 * Training batches from Parquet: lists of a converted log (one list per row) streamed into padded typed
 * arrays `[batch, listSize]` (and `[batch, listSize, numFeatures]` for dense features), ready for
 * `tf.tensor`. Memory stays bounded by one batch plus one engine chunk, whatever the file size.
 */
import { checkInteger, invalidArgument, UnbiasedError } from '@unbiased/core/errors';
import { DuckDbEngine } from '../duckdb/engine.js';
import { readParquet } from '../duckdb/sql.js';
import type { ParquetInput } from '../engine.js';

/** Options of {@link parquetBatches}. */
export interface ParquetBatchOptions {
  /** Lists per batch. Required. The last batch may be smaller. */
  batchSize: number;
  /** Positions per list: longer lists are cut, shorter ones padded (mask 0). Default 10 (DLA's cutoff). */
  listSize?: number;
  /** Numeric list columns to read into `[batch, listSize]` float32 arrays; default `['click']` (Baidu sessions). LETOR files have `labels`. */
  lists?: readonly string[];
  /** A FLOAT[] column holding each row's `n_docs * numFeatures` dense features (LETOR files: `features`); default none. */
  features?: string;
  /** Features per document; required with `features`. */
  numFeatures?: number;
  /**
   * Where rows come from: `'duckdb'` (default; streams through an embedded DuckDB) or `'hyparquet'` (pure
   * JavaScript, for runtimes without the native addon; pass `hyparquet` itself and, for zstd files, the
   * `compressors` of `hyparquet-compressors`).
   */
  backend?: 'duckdb' | HyparquetBackend;
  /** An open engine for the `'duckdb'` backend; default one opened and closed by the iterator. */
  engine?: DuckDbEngine;
}

/** The pure-JavaScript backend: the `hyparquet` module and optional decompressors. */
export interface HyparquetBackend {
  hyparquet: {
    parquetMetadataAsync(file: unknown): Promise<{ row_groups: { num_rows: bigint }[] }>;
    parquetReadObjects(options: { file: unknown; columns?: string[]; rowStart?: number; rowEnd?: number; compressors?: unknown }): Promise<Record<string, unknown>[]>;
    asyncBufferFromFile?(path: string): Promise<unknown>;
  };
  /** Decompressors by codec name (e.g. `compressors` of `hyparquet-compressors` for ZSTD). */
  compressors?: unknown;
  /** Opens a file as an AsyncBuffer; default `asyncBufferFromFile` of hyparquet's Node entry. */
  open?: (path: string) => Promise<unknown>;
}

/** One batch: row-major `[size, listSize]` arrays (index `b * listSize + i`). */
export interface ParquetBatch {
  /** Lists in this batch. */
  size: number;
  listSize: number;
  /** 1 for a real document, 0 for padding. */
  mask: Float32Array;
  /** Each requested list column, padded with 0. */
  lists: Record<string, Float32Array>;
  /** `[size, listSize, numFeatures]` features (padding 0), or null. */
  features: Float32Array | null;
  numFeatures: number;
  /** Documents of each list before cutting at `listSize`. */
  lengths: Int32Array;
}

/** The parts of a DuckDB list vector the reader uses (child values are flat, rows index into them). */
interface ListVector {
  getEntryOffset(row: number): number;
  getEntryLength(row: number): number;
  childVector: { items: Float32Array };
}

interface Resolved {
  batchSize: number;
  listSize: number;
  lists: string[];
  features: string | null;
  numFeatures: number;
}

const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

function resolve(options: ParquetBatchOptions): Resolved {
  if (options === null || typeof options !== 'object') invalidArgument('options', 'parquetBatches needs options with a batchSize');
  const batchSize = checkInteger('batchSize', options.batchSize, { min: 1 });
  const listSize = checkInteger('listSize', options.listSize ?? 10, { min: 1 });
  const lists = [...(options.lists ?? ['click'])];
  for (const name of lists) if (typeof name !== 'string' || !COLUMN.test(name)) invalidArgument('lists', `list column names must be identifiers; got ${String(name)}`);
  const features = options.features ?? null;
  if (features !== null && (typeof features !== 'string' || !COLUMN.test(features))) invalidArgument('features', `features must be a column name; got ${String(features)}`);
  const numFeatures = features === null ? 0 : checkInteger('numFeatures', options.numFeatures, { min: 1 });
  if (lists.length === 0 && features === null) invalidArgument('lists', 'read at least one list column or the features');
  return { batchSize, listSize, lists, features, numFeatures };
}

/** Fills batches row by row; `row` copies one list's columns. */
class BatchBuilder {
  private batch: ParquetBatch;
  private filled = 0;

  constructor(private readonly r: Resolved) {
    this.batch = this.fresh();
  }

  private fresh(): ParquetBatch {
    const { batchSize, listSize, lists, features, numFeatures } = this.r;
    const out: Record<string, Float32Array> = {};
    for (const name of lists) out[name] = new Float32Array(batchSize * listSize);
    return {
      size: batchSize,
      listSize,
      mask: new Float32Array(batchSize * listSize),
      lists: out,
      features: features === null ? null : new Float32Array(batchSize * listSize * numFeatures),
      numFeatures,
      lengths: new Int32Array(batchSize),
    };
  }

  /** Adds one row; `length` documents; `get(k)` gives list column k's values, `feats` the flat features. */
  add(length: number, lists: ArrayLike<number>[], feats: ArrayLike<number> | null, where: string): ParquetBatch | null {
    const { listSize, numFeatures } = this.r;
    const b = this.filled;
    const n = Math.min(length, listSize);
    const base = b * listSize;
    const batch = this.batch;
    batch.lengths[b] = length;
    batch.mask.fill(1, base, base + n);
    this.r.lists.forEach((name, k) => {
      const values = lists[k] as ArrayLike<number>;
      if (values.length !== length) throw new UnbiasedError('BAD_INPUT', `${where}: list column ${name} has ${values.length} values for ${length} documents`, { field: name });
      const target = batch.lists[name] as Float32Array;
      if (values instanceof Float32Array) target.set(values.subarray(0, n), base);
      else for (let i = 0; i < n; i++) target[base + i] = values[i] as number;
    });
    if (feats !== null) {
      if (feats.length !== length * numFeatures) {
        throw new UnbiasedError('BAD_INPUT', `${where}: features have ${feats.length} values for ${length} documents of ${numFeatures} features`, { field: this.r.features ?? 'features' });
      }
      const target = batch.features as Float32Array;
      const m = n * numFeatures;
      if (feats instanceof Float32Array) target.set(feats.subarray(0, m), base * numFeatures);
      else for (let i = 0; i < m; i++) target[base * numFeatures + i] = feats[i] as number;
    }
    return this.advance();
  }

  /**
   * Adds row `i` of a DuckDB chunk: `vectors` are the list columns then (optionally) the features, with
   * their flat child values `children`. The hot loop of the DuckDB backend: no allocation per row.
   */
  addFromVectors(length: number, vectors: ListVector[], children: Float32Array[], i: number, row: number): ParquetBatch | null {
    const { listSize, numFeatures, lists } = this.r;
    const b = this.filled;
    const n = Math.min(length, listSize);
    const base = b * listSize;
    const batch = this.batch;
    batch.lengths[b] = length;
    const mask = batch.mask;
    for (let j = 0; j < n; j++) mask[base + j] = 1;
    for (let k = 0; k < lists.length; k++) {
      const vector = vectors[k] as ListVector;
      if (vector.getEntryLength(i) !== length) {
        throw new UnbiasedError('BAD_INPUT', `row ${row}: list column ${lists[k]} has ${vector.getEntryLength(i)} values for ${length} documents`, { field: lists[k] as string });
      }
      const offset = vector.getEntryOffset(i);
      const source = children[k] as Float32Array;
      const target = batch.lists[lists[k] as string] as Float32Array;
      for (let j = 0; j < n; j++) target[base + j] = source[offset + j] as number;
    }
    if (batch.features !== null) {
      const vector = vectors[lists.length] as ListVector;
      if (vector.getEntryLength(i) !== length * numFeatures) {
        throw new UnbiasedError('BAD_INPUT', `row ${row}: features have ${vector.getEntryLength(i)} values for ${length} documents of ${numFeatures} features`, { field: this.r.features ?? 'features' });
      }
      const offset = vector.getEntryOffset(i);
      const m = n * numFeatures;
      batch.features.set((children[lists.length] as Float32Array).subarray(offset, offset + m), base * numFeatures);
    }
    return this.advance();
  }

  private advance(): ParquetBatch | null {
    this.filled++;
    if (this.filled < this.r.batchSize) return null;
    const full = this.batch;
    this.batch = this.fresh();
    this.filled = 0;
    return full;
  }

  /** The partial last batch (arrays cut to its size), or null when empty. */
  rest(): ParquetBatch | null {
    if (this.filled === 0) return null;
    const { listSize, numFeatures } = this.r;
    const n = this.filled;
    const b = this.batch;
    const lists: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(b.lists)) lists[name] = values.slice(0, n * listSize);
    this.filled = 0;
    return {
      size: n,
      listSize,
      mask: b.mask.slice(0, n * listSize),
      lists,
      features: b.features === null ? null : b.features.slice(0, n * listSize * numFeatures),
      numFeatures,
      lengths: b.lengths.slice(0, n),
    };
  }
}

/** The length column: `n_docs` when the file has it, else the length of the first list. */
function lengthExpression(r: Resolved): string {
  const first = r.lists[0];
  return first === undefined ? `len("${r.features}") // ${r.numFeatures}` : `len("${first}")`;
}

async function* duckdbBatches(input: ParquetInput, r: Resolved, engine: DuckDbEngine | undefined): AsyncGenerator<ParquetBatch> {
  const own = engine === undefined;
  const db = engine ?? (await DuckDbEngine.create());
  try {
    const columns = [...r.lists, ...(r.features === null ? [] : [r.features])].map((name) => `"${name}"::FLOAT[] AS "${name}"`);
    const sql = `SELECT ${lengthExpression(r)}::INTEGER AS n, ${columns.join(', ')} FROM ${readParquet(input)}`;
    let result: Awaited<ReturnType<typeof db.connection.stream>>;
    try {
      result = await db.connection.stream(sql);
    } catch (error) {
      throw new UnbiasedError('ENGINE_ERROR', `DuckDB failed to read training batches: ${(error as Error).message}`, { cause: error });
    }
    const builder = new BatchBuilder(r);
    let row = 0;
    const names = [...r.lists, ...(r.features === null ? [] : [r.features])];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const count = chunk.rowCount;
      const lengths = (chunk.getColumnVector(0) as unknown as { items: Int32Array }).items;
      const vectors = names.map((_, k) => chunk.getColumnVector(k + 1) as unknown as ListVector);
      const children = vectors.map((v) => v.childVector.items);
      for (let i = 0; i < count; i++) {
        const full = builder.addFromVectors(lengths[i] as number, vectors, children, i, row);
        row++;
        if (full !== null) yield full;
      }
    }
    const rest = builder.rest();
    if (rest !== null) yield rest;
  } finally {
    if (own) db.close();
  }
}

async function* hyparquetBatches(input: ParquetInput, r: Resolved, backend: HyparquetBackend): AsyncGenerator<ParquetBatch> {
  const paths = typeof input === 'string' ? [input] : [...input];
  const open = backend.open ?? backend.hyparquet.asyncBufferFromFile;
  if (open === undefined) invalidArgument('backend', 'the hyparquet backend needs `open` (or hyparquet with asyncBufferFromFile)');
  const builder = new BatchBuilder(r);
  const pending: ParquetBatch[] = [];
  const columns = [...r.lists, ...(r.features === null ? [] : [r.features])];
  for (const path of paths) {
    const file = await open(path);
    const metadata = await backend.hyparquet.parquetMetadataAsync(file);
    let start = 0;
    for (const group of metadata.row_groups) {
      const end = start + Number(group.num_rows);
      const rows = await backend.hyparquet.parquetReadObjects({ file, columns, rowStart: start, rowEnd: end, compressors: backend.compressors });
      rows.forEach((record, i) => {
        const values = r.lists.map((name) => record[name] as ArrayLike<number>);
        const feats = r.features === null ? null : (record[r.features] as ArrayLike<number>);
        const length = values[0]?.length ?? (feats as ArrayLike<number>).length / r.numFeatures;
        const full = builder.add(length, values, feats, `${path} row ${start + i}`);
        if (full !== null) pending.push(full);
      });
      while (pending.length > 0) yield pending.shift() as ParquetBatch;
      start = end;
    }
  }
  const rest = builder.rest();
  if (rest !== null) yield rest;
}

/**
 * Streams training batches from Parquet files (one list per row, e.g. sessions from `convertBaiduShards`
 * or queries from `convertLetorShards`), in file order. Each batch holds `batchSize` lists padded or cut
 * to `listSize` with a mask, the requested list columns as float32, and optionally dense features: the
 * `[B, L]` clicks / mask and `[B, L, d]` features of a DLA `ClickBatch` (Ai et al., SIGIR 2018) or the
 * pairs of a Rel-MF batch (Saito et al., WSDM 2020) after flattening.
 */
export function parquetBatches(input: ParquetInput, options: ParquetBatchOptions): AsyncGenerator<ParquetBatch> {
  const r = resolve(options);
  const backend = options.backend ?? 'duckdb';
  if (backend === 'duckdb') return duckdbBatches(input, r, options.engine);
  if (backend === null || typeof backend !== 'object' || typeof backend.hyparquet?.parquetReadObjects !== 'function') {
    invalidArgument('backend', "backend must be 'duckdb' or { hyparquet, compressors? }");
  }
  return hyparquetBatches(input, r, backend);
}

/**
 * (query, document) interactions from converted click logs for matrix-factorisation recommenders such as
 * Rel-MF (Saito et al., "Unbiased Recommender Learning from Missing-Not-At-Random Implicit Feedback",
 * WSDM 2020): one row per displayed result with integer user (query) and item (document) ids, the click,
 * the position and the examination propensity of that position.
 */
import { checkFiniteArray, checkInteger, invalidArgument, UnbiasedError } from '@unbiased/core/errors';
import { DuckDbEngine } from '../duckdb/engine.js';
import { readParquet } from '../duckdb/sql.js';
import type { ParquetInput } from '../engine.js';

/** What {@link writeInteractions} wrote. */
export interface InteractionsWritten {
  rows: number;
  /** Distinct queries (user ids 0..numUsers-1, in sorted `query_key` order). */
  numUsers: number;
  /** Distinct documents (item ids 0..numItems-1, in sorted `url_md5` order). */
  numItems: number;
}

/**
 * Writes the results of converted Baidu sessions as interactions Parquet (atomically): columns `user`,
 * `item` (INTEGER ids: dense ranks of `query_key` and `url_md5`), `label` (FLOAT click), `position` and
 * `propensity` (FLOAT, `propensity[position - 1]`; positions past the vector reuse its last value, as the
 * position-based model does), sorted by (user, item, position, label). Sentinel rows are left out.
 * `propensity` is an examination curve, e.g. from `pbmEm` or `randListPropensity`.
 */
export async function writeInteractions(engine: DuckDbEngine, sessions: ParquetInput, out: string, options: { propensity: ArrayLike<number> }): Promise<InteractionsWritten> {
  if (options === null || typeof options !== 'object') invalidArgument('options', 'writeInteractions needs options with a propensity vector');
  const n = checkFiniteArray('propensity', options.propensity);
  if (n === 0) invalidArgument('propensity', 'propensity must not be empty');
  for (let k = 0; k < n; k++) {
    const v = options.propensity[k] as number;
    if (!(v > 0 && v <= 1)) invalidArgument('propensity', `propensity[${k}] must be in (0, 1]; got ${v}`);
  }
  const curve = `[${Array.from(options.propensity, (v) => (v as number).toPrecision(17)).join(', ')}]::DOUBLE[]`;
  const query = `WITH r AS (
      SELECT query_key, url_md5, position, click FROM (SELECT query_key, unnest(url_md5) AS url_md5, unnest(position) AS position, unnest(click) AS click, unnest(sentinel) AS sentinel FROM ${readParquet(sessions)}) WHERE sentinel = 0),
    u AS (SELECT query_key, (row_number() OVER (ORDER BY query_key) - 1)::INTEGER AS "user" FROM (SELECT DISTINCT query_key FROM r)),
    i AS (SELECT url_md5, (row_number() OVER (ORDER BY url_md5) - 1)::INTEGER AS item FROM (SELECT DISTINCT url_md5 FROM r))
    SELECT u."user", i.item, r.click::FLOAT AS label, r.position, (${curve})[least(r.position, ${n})]::FLOAT AS propensity
    FROM r JOIN u ON r.query_key = u.query_key JOIN i ON r.url_md5 = i.url_md5 ORDER BY 1, 2, 4, 3`;
  await engine.copyToParquet(query, out, `write interactions to ${out}`);
  const [row] = await engine.rows(`SELECT count(*)::BIGINT, coalesce(max("user") + 1, 0)::BIGINT, coalesce(max(item) + 1, 0)::BIGINT FROM ${readParquet(out)}`, 'read back interactions');
  const [rows, users, items] = (row as unknown[]).map((v) => Number(v));
  return { rows: rows as number, numUsers: users as number, numItems: items as number };
}

/** A batch of interactions: the `PairBatch` of `@unbiased/recsys-relmf`. */
export interface InteractionBatch {
  users: Int32Array;
  items: Int32Array;
  labels: Float32Array;
  propensities: Float32Array;
}

/**
 * Streams interactions files (from {@link writeInteractions}) in file order as batches of `batchSize` pairs
 * (the last one may be smaller), through DuckDB with bounded memory.
 */
export async function* interactionBatches(input: ParquetInput, options: { batchSize: number; engine?: DuckDbEngine }): AsyncGenerator<InteractionBatch> {
  const batchSize = checkInteger('batchSize', options?.batchSize, { min: 1 });
  const own = options.engine === undefined;
  const engine = options.engine ?? (await DuckDbEngine.create());
  try {
    let result: Awaited<ReturnType<typeof engine.connection.stream>>;
    try {
      result = await engine.connection.stream(`SELECT "user"::INTEGER, item::INTEGER, label::FLOAT, propensity::FLOAT FROM ${readParquet(input)}`);
    } catch (error) {
      throw new UnbiasedError('ENGINE_ERROR', `DuckDB failed to read interactions: ${(error as Error).message}`, { cause: error });
    }
    const fresh = (): InteractionBatch => ({
      users: new Int32Array(batchSize),
      items: new Int32Array(batchSize),
      labels: new Float32Array(batchSize),
      propensities: new Float32Array(batchSize),
    });
    let batch = fresh();
    let filled = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const columns = [0, 1, 2, 3].map((k) => (chunk.getColumnVector(k) as unknown as { items: Int32Array | Float32Array }).items);
      const [users, items, labels, propensities] = columns as [Int32Array, Int32Array, Float32Array, Float32Array];
      let start = 0;
      while (start < chunk.rowCount) {
        const take = Math.min(batchSize - filled, chunk.rowCount - start);
        batch.users.set(users.subarray(start, start + take), filled);
        batch.items.set(items.subarray(start, start + take), filled);
        batch.labels.set(labels.subarray(start, start + take), filled);
        batch.propensities.set(propensities.subarray(start, start + take), filled);
        filled += take;
        start += take;
        if (filled === batchSize) {
          yield batch;
          batch = fresh();
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      yield { users: batch.users.slice(0, filled), items: batch.items.slice(0, filled), labels: batch.labels.slice(0, filled), propensities: batch.propensities.slice(0, filled) };
    }
  } finally {
    if (own) engine.close();
  }
}

/**
 * The `Engine` seam: click statistics and propensity estimates computed where the data lives (an embedded
 * DuckDB by default) on Parquet files written by the converters of this package.
 */

/** Parquet input: one path, a glob (`shards/*.parquet`) or several of either. */
export type ParquetInput = string | readonly string[];

/**
 * Impressions and clicks by displayed position. Index 0 is position 1; the arrays run to the largest
 * position seen (positions never shown have 0 impressions).
 */
export interface PositionCounts {
  impressions: Float64Array;
  clicks: Float64Array;
  /** Sessions read. */
  sessions: number;
}

/**
 * Per-(query, document, position) sufficient statistics of a click log: how often the document was shown
 * at that position for that query (`impressions`) and clicked there (`clicks`). They are additive: the
 * statistics of a union of shards are the sums of the shards' statistics, so they can be computed per shard
 * anywhere and merged. Rows are sorted by (queryKey, urlMd5, position).
 */
export interface QdpTable {
  /** Query identity: the Baidu `qid` and the raw query tokens joined by a tab (qids alone are not unique). */
  queryKey: string[];
  /** Document identity (Baidu `url_md5`). */
  urlMd5: string[];
  position: Int32Array;
  impressions: Float64Array;
  clicks: Float64Array;
}

/** Which documents the statistics count. */
export interface SentinelOptions {
  /**
   * `'exclude'` (default): leave out the sentinel rows of the Baidu logs (a missing document, the "what
   * others searched" block), which are not search results; `'include'`: count every displayed row.
   */
  sentinels?: 'exclude' | 'include';
}

/** Propensities relative to position 1 from intervention harvesting. */
export interface InterventionEstimate {
  /** `p_k / p_1` (index 0 = position 1); NaN where position k shares no (query, document) with position 1. */
  propensity: Float64Array;
  /** Numerator per position: sum over the (query, document) pairs shown at both 1 and k of CTR(q, d, k). */
  numerator: Float64Array;
  /** Denominator per position: sum over the same pairs of CTR(q, d, 1). */
  denominator: Float64Array;
  /** Number of (query, document) pairs shown at both position 1 and position k. */
  pairs: Float64Array;
}

/** Options of {@link Engine.pbmEm}. */
export interface PbmEmOptions {
  /** EM iterations; default 50. A fixed count (no convergence test) keeps runs reproducible across engines. */
  iterations?: number;
  /** Initial examination probability of every position; default 0.5 (inferred: the papers do not fix it). */
  initialExamination?: number;
  /** Initial attractiveness of every (query, document); default 0.5 (inferred as above). */
  initialAttractiveness?: number;
}

/** The fitted position-based model. */
export interface PbmEmResult {
  /** Examination probability theta_k per position (index 0 = position 1). */
  examination: Float64Array;
  /** `theta_k / theta_1`. */
  propensity: Float64Array;
  /** Iterations run. */
  iterations: number;
}

/** Summary of a statistics file written by {@link Engine.writeStatistics} or {@link Engine.mergeStatistics}. */
export interface StatisticsWritten {
  /** Rows (distinct (query, document, position) keys) written. */
  rows: number;
  /** Total impressions, a check that merges conserve the counts. */
  impressions: number;
  clicks: number;
}

/**
 * Where click statistics are computed. Inputs are Parquet files: converted sessions (one session per
 * row, see `convertBaiduShards`) or statistics files (one (query, document, position) per row).
 * `DuckDbEngine` (embedded, spills to disk under a memory limit) is the default implementation; the
 * in-memory functions of this package (`clicksByPositionInMemory`, ...) compute the same numbers from
 * arrays and are the reference the engine is tested against.
 */
export interface Engine {
  readonly name: string;
  /** Impressions and clicks by position over sessions files. */
  clicksByPosition(sessions: ParquetInput, options?: SentinelOptions): Promise<PositionCounts>;
  /** Writes the per-(query, document, position) statistics of sessions files to one Parquet file (atomically). */
  writeStatistics(sessions: ParquetInput, out: string, options?: SentinelOptions): Promise<StatisticsWritten>;
  /** Sums statistics files (per-shard outputs) into one Parquet file (atomically). */
  mergeStatistics(statistics: ParquetInput, out: string): Promise<StatisticsWritten>;
  /** Reads statistics files (summed over files) into memory, sorted by key. */
  readStatistics(statistics: ParquetInput): Promise<QdpTable>;
  /** Intervention-harvesting propensities from statistics files. */
  interventionHarvesting(statistics: ParquetInput): Promise<InterventionEstimate>;
  /** PBM fitted by EM on statistics files. */
  pbmEm(statistics: ParquetInput, options?: PbmEmOptions): Promise<PbmEmResult>;
  /** Frees the engine (its connection and database). */
  close(): void;
}

/**
 * The click statistics of this package computed in memory from session arrays: the reference the SQL
 * engine is tested against, and a fallback for data that fits in memory (e.g. in a browser).
 */
import { checkInteger, checkProbability, invalidArgument } from '@unbiased/core/errors';
import { type PropensityEstimate, propensityFromClickCounts } from '@unbiased/ultr-data';
import type { InterventionEstimate, PbmEmOptions, PbmEmResult, PositionCounts, QdpTable, SentinelOptions } from '../engine.js';

/** The fields of a session the statistics need (a `BaiduSession` of `@unbiased/ultr-data` has them). */
export interface SessionLike {
  queryKey: string;
  position: ArrayLike<number>;
  click: ArrayLike<number>;
  urlMd5: readonly string[];
  /** Sentinel code per document (0 = a result); absent means all results. */
  sentinel?: ArrayLike<number>;
}

function excludeSentinels(options: SentinelOptions | undefined): boolean {
  const mode = options?.sentinels ?? 'exclude';
  if (mode !== 'exclude' && mode !== 'include') invalidArgument('sentinels', `sentinels must be 'exclude' or 'include'; got ${String(mode)}`);
  return mode === 'exclude';
}

function isResult(session: SessionLike, i: number, exclude: boolean): boolean {
  return !exclude || session.sentinel === undefined || session.sentinel[i] === 0;
}

/**
 * Impressions and clicks by displayed position (index 0 = position 1): the counts behind RandList and
 * the click-through-rate curves of the Baidu-ULTR paper (Zou et al., "A Large Scale Search Dataset for
 * Unbiased Learning to Rank", NeurIPS 2022 Datasets and Benchmarks, Section 4).
 */
export function clicksByPositionInMemory(sessions: Iterable<SessionLike>, options?: SentinelOptions): PositionCounts {
  const exclude = excludeSentinels(options);
  let impressions = new Float64Array(32);
  let clicks = new Float64Array(32);
  let max = 0;
  let count = 0;
  for (const session of sessions) {
    count++;
    for (let i = 0; i < session.position.length; i++) {
      if (!isResult(session, i, exclude)) continue;
      const p = session.position[i] as number;
      if (p > impressions.length) {
        const size = Math.max(p, 2 * impressions.length);
        const grownI = new Float64Array(size);
        grownI.set(impressions);
        const grownC = new Float64Array(size);
        grownC.set(clicks);
        impressions = grownI;
        clicks = grownC;
      }
      impressions[p - 1]! += 1;
      clicks[p - 1]! += session.click[i] as number;
      if (p > max) max = p;
    }
  }
  return { impressions: impressions.slice(0, max), clicks: clicks.slice(0, max), sessions: count };
}

/**
 * RandList propensities (Ai et al., "Unbiased Learning to Rank with Unbiased Propensity Estimation",
 * SIGIR 2018, Section 5.1 baseline): `p_k / p_1 = CTR_k / CTR_1` from counts by position, valid when the
 * logged rankings were randomised. Positions beyond `listSize` (default 10) are left out.
 */
export function randListPropensity(counts: PositionCounts, listSize = 10): PropensityEstimate {
  checkInteger('listSize', listSize, { min: 1 });
  const n = Math.min(listSize, counts.impressions.length);
  return propensityFromClickCounts(counts.clicks.subarray(0, n), counts.impressions.subarray(0, n));
}

function compareKeys(a: [string, string, number], b: [string, string, number]): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] - b[2];
}

function tableFromMap(map: Map<string, { key: [string, string, number]; n: number; c: number }>): QdpTable {
  const rows = [...map.values()].sort((x, y) => compareKeys(x.key, y.key));
  return {
    queryKey: rows.map((r) => r.key[0]),
    urlMd5: rows.map((r) => r.key[1]),
    position: Int32Array.from(rows, (r) => r.key[2]),
    impressions: Float64Array.from(rows, (r) => r.n),
    clicks: Float64Array.from(rows, (r) => r.c),
  };
}

function accumulate(map: Map<string, { key: [string, string, number]; n: number; c: number }>, q: string, d: string, p: number, n: number, c: number): void {
  const id = `${q}\u0000${d}\u0000${p}`;
  const entry = map.get(id);
  if (entry === undefined) map.set(id, { key: [q, d, p], n, c });
  else {
    entry.n += n;
    entry.c += c;
  }
}

/**
 * Per-(query, document, position) impressions and clicks: the sufficient statistics of position-based
 * click models (Chuklin, Markov and de Rijke, "Click Models for Web Search", 2015, Section 4.2) and of
 * intervention harvesting (Agarwal et al., WSDM 2019, Section 3).
 */
export function qdpStatisticsInMemory(sessions: Iterable<SessionLike>, options?: SentinelOptions): QdpTable {
  const exclude = excludeSentinels(options);
  const map = new Map<string, { key: [string, string, number]; n: number; c: number }>();
  for (const session of sessions) {
    for (let i = 0; i < session.position.length; i++) {
      if (!isResult(session, i, exclude)) continue;
      accumulate(map, session.queryKey, session.urlMd5[i] as string, session.position[i] as number, 1, session.click[i] as number);
    }
  }
  return tableFromMap(map);
}

/** Sums statistics tables key by key (the `merge` step: per-shard statistics are additive). */
export function mergeQdpTables(tables: Iterable<QdpTable>): QdpTable {
  const map = new Map<string, { key: [string, string, number]; n: number; c: number }>();
  for (const t of tables) {
    for (let r = 0; r < t.position.length; r++) {
      accumulate(map, t.queryKey[r] as string, t.urlMd5[r] as string, t.position[r] as number, t.impressions[r] as number, t.clicks[r] as number);
    }
  }
  return tableFromMap(map);
}

function maxPosition(table: QdpTable): number {
  let max = 0;
  for (let r = 0; r < table.position.length; r++) max = Math.max(max, table.position[r] as number);
  return max;
}

/**
 * Intervention harvesting (Agarwal, Zaitsev, Wang, Li, Najork and Joachims, "Estimating Position Bias
 * without Intrusive Interventions", WSDM 2019, Sections 3-4): a (query, document) shown at both position
 * 1 and position k by different logged rankings is a natural swap intervention. Under the position-based
 * model `E[CTR(q, d, k)] = p_k * gamma(q, d)`, so over the set S_k of such pairs
 * `p_k / p_1 = sum_S CTR(q, d, k) / sum_S CTR(q, d, 1)`.
 *
 * Inferred: the paper weights each pair by the logging rankers' propensities and fits all position
 * pairs jointly by maximum likelihood (AllPairs); this is the simpler ratio estimator against position 1
 * with every (query, document) weighted equally. Duplicate keys in `table` are summed first.
 */
export function interventionHarvestingInMemory(table: QdpTable): InterventionEstimate {
  const merged = mergeQdpTables([table]);
  const positions = maxPosition(merged);
  const first = new Map<string, number>();
  for (let r = 0; r < merged.position.length; r++) {
    if (merged.position[r] === 1) first.set(`${merged.queryKey[r]}\u0000${merged.urlMd5[r]}`, (merged.clicks[r] as number) / (merged.impressions[r] as number));
  }
  const numerator = new Float64Array(positions);
  const denominator = new Float64Array(positions);
  const pairs = new Float64Array(positions);
  for (let r = 0; r < merged.position.length; r++) {
    const ctr1 = first.get(`${merged.queryKey[r]}\u0000${merged.urlMd5[r]}`);
    if (ctr1 === undefined) continue;
    const k = (merged.position[r] as number) - 1;
    numerator[k]! += (merged.clicks[r] as number) / (merged.impressions[r] as number);
    denominator[k]! += ctr1;
    pairs[k]! += 1;
  }
  const propensity = new Float64Array(positions);
  for (let k = 0; k < positions; k++) propensity[k] = pairs[k] === 0 ? Number.NaN : (numerator[k] as number) / (denominator[k] as number);
  return { propensity, numerator, denominator, pairs };
}

/** Resolved {@link PbmEmOptions}. */
export function resolvePbmEmOptions(options: PbmEmOptions = {}): Required<PbmEmOptions> {
  return {
    iterations: checkInteger('iterations', options.iterations ?? 50, { min: 1 }),
    initialExamination: checkProbability('initialExamination', options.initialExamination ?? 0.5, { open: true }),
    initialAttractiveness: checkProbability('initialAttractiveness', options.initialAttractiveness ?? 0.5, { open: true }),
  };
}

/**
 * The position-based click model fitted by expectation-maximisation on sufficient statistics (Chuklin,
 * Markov and de Rijke, "Click Models for Web Search", 2015, Section 4.2; the regression-EM of Wang et
 * al., "Position Bias Estimation for Unbiased Learning to Rank in Personal Search", WSDM 2018, Section 4,
 * with one free attractiveness per (query, document)). With `n` impressions and `c` clicks of (q, d) at
 * position k, an iteration computes from the current theta, gamma:
 *   E-step  P(E = 1 | C = 0) = theta_k (1 - gamma_qd) / (1 - theta_k gamma_qd),
 *           P(R = 1 | C = 0) = gamma_qd (1 - theta_k) / (1 - theta_k gamma_qd);
 *   M-step  theta_k = sum_qd [c + (n - c) P(E = 1 | C = 0)] / sum_qd n,
 *           gamma_qd = sum_k [c + (n - c) P(R = 1 | C = 0)] / sum_k n.
 * Positions never shown get NaN.
 */
export function pbmEmInMemory(table: QdpTable, options: PbmEmOptions = {}): PbmEmResult {
  const { iterations, initialExamination, initialAttractiveness } = resolvePbmEmOptions(options);
  const merged = mergeQdpTables([table]);
  const rows = merged.position.length;
  const positions = maxPosition(merged);
  const qdIndex = new Map<string, number>();
  const qd = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const id = `${merged.queryKey[r]}\u0000${merged.urlMd5[r]}`;
    let j = qdIndex.get(id);
    if (j === undefined) {
      j = qdIndex.size;
      qdIndex.set(id, j);
    }
    qd[r] = j;
  }
  let theta = new Float64Array(positions).fill(initialExamination);
  let gamma = new Float64Array(qdIndex.size).fill(initialAttractiveness);
  for (let it = 0; it < iterations; it++) {
    const thetaNum = new Float64Array(positions);
    const thetaDen = new Float64Array(positions);
    const gammaNum = new Float64Array(gamma.length);
    const gammaDen = new Float64Array(gamma.length);
    for (let r = 0; r < rows; r++) {
      const k = (merged.position[r] as number) - 1;
      const j = qd[r] as number;
      const n = merged.impressions[r] as number;
      const c = merged.clicks[r] as number;
      const th = theta[k] as number;
      const g = gamma[j] as number;
      const e = n === c ? c : c + ((n - c) * th * (1 - g)) / (1 - th * g);
      const a = n === c ? c : c + ((n - c) * g * (1 - th)) / (1 - th * g);
      thetaNum[k]! += e;
      thetaDen[k]! += n;
      gammaNum[j]! += a;
      gammaDen[j]! += n;
    }
    const nextTheta = new Float64Array(positions);
    for (let k = 0; k < positions; k++) nextTheta[k] = thetaDen[k] === 0 ? Number.NaN : (thetaNum[k] as number) / (thetaDen[k] as number);
    const nextGamma = new Float64Array(gamma.length);
    for (let j = 0; j < gamma.length; j++) nextGamma[j] = (gammaNum[j] as number) / (gammaDen[j] as number);
    theta = nextTheta;
    gamma = nextGamma;
  }
  const propensity = theta.map((t) => t / (theta[0] as number));
  return { examination: theta, propensity, iterations };
}

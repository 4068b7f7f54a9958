/**
 * Experiment `crowd-redundancy`: agreement and correlation with expert gold as the number of judgments per
 * statement grows, with and without the gold-question filter (our synthetic crowd experiment, CPU experiment).
 */
import type { Experiment, ExperimentContext, ExperimentResult, PlotSpec, Rng, Series } from '@unbiased/core';
import { type AggregationMethod, aggregateJudgments } from './aggregate.js';
import { dimensionAgreement } from './agreement.js';
import { goldCorrelation } from './gold.js';
import { filterJudgments, type JudgmentTable } from './judgments.js';
import { goldCheck } from './quality.js';
import { type CrowdSimulationOptions, simulateCrowd } from './simulate.js';

/** Judgments per statement compared; our reference simulation's table reads 1, 3 and 10. */
export const REDUNDANCY_LEVELS = [1, 2, 3, 5, 10] as const;
const METHODS: readonly AggregationMethod[] = ['mean', 'median', 'majority'];
/** Worker noise levels of the full-scale sweep (alpha of the real data is about 0.1). */
const NOISE_SWEEP = [1, 1.5, 2, 2.5, 3] as const;
type FilterName = 'none' | 'gold';

interface ReplicateResult {
  /** rho[filter][method][k index] */
  rho: Record<FilterName, Record<AggregationMethod, number[]>>;
  /** alpha[filter][k index]; null at k = 1 (alpha needs two judgments per unit). */
  alpha: Record<FilterName, (number | null)[]>;
  abcRhoMean: Record<FilterName, number>;
  workersKept: number;
  spammers: number;
  spammersKept: number;
}

/** Keeps the first `k` judgments of each unit in the order given by `rank` (rank within its unit). */
function firstK(table: JudgmentTable, rank: Map<string, number>, k: number): JudgmentTable {
  return filterJudgments(table, { where: (j) => (rank.get(`${j.unit}\u0000${j.worker}`) as number) < k });
}

/** Rank of each judgment within its unit, by the random key of (unit, worker). */
function ranksWithinUnits(table: JudgmentTable, key: Map<string, number>): Map<string, number> {
  const perUnit = new Map<number, string[]>();
  for (let i = 0; i < table.size; i++) {
    const id = `${table.units[table.unitIndex[i] as number]}\u0000${table.workers[table.workerIndex[i] as number]}`;
    const list = perUnit.get(table.unitIndex[i] as number) ?? [];
    list.push(id);
    perUnit.set(table.unitIndex[i] as number, list);
  }
  const rank = new Map<string, number>();
  for (const list of perUnit.values()) {
    list.sort((a, b) => (key.get(a) as number) - (key.get(b) as number));
    list.forEach((id, r) => {
      rank.set(id, r);
    });
  }
  return rank;
}

function runReplicate(rng: Rng, simulation: CrowdSimulationOptions): ReplicateResult {
  const crowd = simulateCrowd(rng.fold('crowd'), simulation);
  const goldUnits = [crowd.goldPair.higher, crowd.goldPair.lower];
  const check = goldCheck(crowd.table, { pairs: [crowd.goldPair] });
  const passed = new Set(check.passed);
  const tables: Record<FilterName, JudgmentTable> = {
    none: filterJudgments(crowd.table, { excludeUnits: goldUnits }),
    gold: filterJudgments(crowd.table, { excludeUnits: goldUnits, workers: passed }),
  };
  // One random order of each statement's judgments, shared by both filters, so that the k-subsets are nested.
  const base = tables.none;
  const draws = rng.fold('order').uniform(base.size);
  const key = new Map<string, number>();
  for (let i = 0; i < base.size; i++) key.set(`${base.units[base.unitIndex[i] as number]}\u0000${base.workers[base.workerIndex[i] as number]}`, draws[i] as number);
  const politifact = crowd.statements.filter((s) => s.source === 'politifact');
  const abc = crowd.statements.filter((s) => s.source === 'abc');
  const goldOf = (list: typeof politifact) => new Map(list.map((s) => [s.id, s.goldLevel]));
  const pfGold = goldOf(politifact);
  const abcGold = goldOf(abc);
  const pfIds = politifact.map((s) => s.id);

  const result: ReplicateResult = {
    rho: { none: { mean: [], median: [], majority: [] }, gold: { mean: [], median: [], majority: [] } },
    alpha: { none: [], gold: [] },
    abcRhoMean: { none: 0, gold: 0 },
    workersKept: passed.size,
    spammers: crowd.spammers.length,
    spammersKept: crowd.spammers.filter((w) => passed.has(w)).length,
  };
  for (const filter of ['none', 'gold'] as const) {
    const rank = ranksWithinUnits(tables[filter], key);
    for (const k of REDUNDANCY_LEVELS) {
      const subset = firstK(tables[filter], rank, k);
      const pf = filterJudgments(subset, { units: pfIds });
      for (const method of METHODS) {
        result.rho[filter][method].push(goldCorrelation(aggregateJudgments(pf, { method }), pfGold).value);
      }
      result.alpha[filter].push(k >= 2 ? (dimensionAgreement(pf, { level: 'interval' })[0]?.alpha as number) : null);
      if (k === REDUNDANCY_LEVELS[REDUNDANCY_LEVELS.length - 1]) {
        const abcTable = filterJudgments(subset, { units: abc.map((s) => s.id) });
        result.abcRhoMean[filter] = goldCorrelation(aggregateJudgments(abcTable, { method: 'mean' }), abcGold).value;
      }
    }
  }
  return result;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: readonly number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(xs.length - 1, 1));
};

/** Mean interval alpha (all 10 judgments, no filter) at each worker noise level: our reference simulation's "noise sd 2 gives alpha ~ 0.1". */
function noiseSweep(rng: Rng, noiseLevels: readonly number[], replicates: number): { noiseSd: number; alpha: number }[] {
  return noiseLevels.map((noiseSd) => {
    const alphas: number[] = [];
    for (let r = 0; r < replicates; r++) {
      const crowd = simulateCrowd(rng.fold(`noise-${noiseSd}-${r}`), { noiseSd });
      const pf = filterJudgments(crowd.table, { units: crowd.statements.filter((s) => s.source === 'politifact').map((s) => s.id) });
      alphas.push(dimensionAgreement(pf, { level: 'interval' })[0]?.alpha as number);
    }
    return { noiseSd, alpha: mean(alphas) };
  });
}

/**
 * `crowd-redundancy`: on the synthetic crowd of {@link simulateCrowd}, the Spearman correlation between the
 * PolitiFact gold level and the per-statement mean / median / majority of k judgments (k = 1, 2, 3, 5, 10),
 * and the interval Krippendorff's alpha of those judgments, with and without the gold-question filter,
 * averaged over replicates (smoke: 10, full: 50, plus a worker-noise sweep).
 *
 * Claim (our assertions, plus the filter's effect on rho that our reference simulation shows): rho rises with
 * redundancy (k = 1 < 3 < 10, for every aggregate, with and without the filter); mean >= median >= majority
 * at k = 3 and 10; the gold filter raises alpha (all judgments) and rho(mean, k = 10). Alpha estimates a
 * per-judgment reliability, so it is not expected to rise with k; it is reported, not asserted. With the
 * stated majority tie rule (nearest the median), majority equals the median at k = 3 (see the README).
 */
export const crowdRedundancyExperiment: Experiment = {
  id: 'crowd-redundancy',
  title: 'Crowd truthfulness: gold correlation and agreement vs judgments per statement, with and without the gold filter',
  packageName: '@unbiased/stats-crowd',
  paper: {
    title: 'The many dimensions of truthfulness: Crowdsourcing misinformation assessments on a multidimensional scale',
    year: 2021,
    url: 'https://arxiv.org/abs/2108.01222',
    claim:
      'correlation with expert gold rises with the number of judgments per statement (mean >= median >= majority aggregation), and the gold-question filter raises both agreement and the correlation',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const replicates = full ? 50 : 10;
    const rng = ctx.rng.fold('crowd-redundancy');
    const runs: ReplicateResult[] = [];
    for (let r = 0; r < replicates; r++) {
      runs.push(runReplicate(rng.fold(`replicate-${r}`), {}));
      ctx.progress((r + 1) / (replicates + (full ? 2 * NOISE_SWEEP.length : 0)), `replicate ${r + 1}/${replicates}`);
      if (ctx.signal?.aborted) break;
      await Promise.resolve();
    }
    const n = runs.length;
    const ks = REDUNDANCY_LEVELS;
    const rhoAt = (filter: FilterName, method: AggregationMethod, i: number) => mean(runs.map((run) => run.rho[filter][method][i] as number));
    const alphaAt = (filter: FilterName, i: number) => mean(runs.map((run) => run.alpha[filter][i] as number));
    const metrics: Record<string, number> = { replicates: n };
    const rows: (string | number)[][] = [];
    const round = (x: number) => Math.round(x * 1000) / 1000;
    for (const filter of ['none', 'gold'] as const) {
      const suffix = filter === 'gold' ? '_gold_filter' : '';
      ks.forEach((k, i) => {
        for (const method of METHODS) metrics[`rho_${method}_k${k}${suffix}`] = rhoAt(filter, method, i);
        if (k >= 2) metrics[`alpha_interval_k${k}${suffix}`] = alphaAt(filter, i);
        rows.push([
          k,
          filter === 'gold' ? 'gold filter' : 'none',
          round(rhoAt(filter, 'mean', i)),
          round(rhoAt(filter, 'median', i)),
          round(rhoAt(filter, 'majority', i)),
          k >= 2 ? round(alphaAt(filter, i)) : 'n/a (k = 1)',
        ]);
      });
      metrics[`rho_abc_mean_k10${suffix}`] = mean(runs.map((run) => run.abcRhoMean[filter]));
    }
    const last = ks.length - 1;
    metrics.rho_mean_k10_sd = sd(runs.map((run) => run.rho.none.mean[last] as number));
    metrics.workers_kept_by_gold_filter = mean(runs.map((run) => run.workersKept));
    metrics.spammers = mean(runs.map((run) => run.spammers));
    metrics.spammers_kept_by_gold_filter = mean(runs.map((run) => run.spammersKept));
    if (full) {
      for (const { noiseSd, alpha } of noiseSweep(rng.fold('noise-sweep'), NOISE_SWEEP, 10)) {
        metrics[`alpha_interval_k10_noise_sd_${String(noiseSd).replace('.', '_')}`] = alpha;
      }
    }
    ctx.progress(1, 'done');

    const index = (k: number) => ks.indexOf(k as (typeof ks)[number]);
    const rises = (filter: FilterName, method: AggregationMethod) =>
      rhoAt(filter, method, index(1)) < rhoAt(filter, method, index(3)) && rhoAt(filter, method, index(3)) < rhoAt(filter, method, index(10));
    const risesWithRedundancy = (['none', 'gold'] as const).every((f) => METHODS.every((m) => rises(f, m)));
    const ordered = (['none', 'gold'] as const).every((f) =>
      [3, 10].every((k) => rhoAt(f, 'mean', index(k)) >= rhoAt(f, 'median', index(k)) && rhoAt(f, 'median', index(k)) >= rhoAt(f, 'majority', index(k))),
    );
    const alphaBefore = alphaAt('none', last);
    const alphaAfter = alphaAt('gold', last);
    const filterRaisesAlpha = alphaAfter > alphaBefore;
    const rhoBefore = rhoAt('none', 'mean', last);
    const rhoAfter = rhoAt('gold', 'mean', last);
    const filterRaisesRho = rhoAfter > rhoBefore;
    const holds = risesWithRedundancy && ordered && filterRaisesAlpha && filterRaisesRho;
    const text =
      `rho(gold, mean) rises with judgments per statement ${[1, 3, 10].map((k) => rhoAt('none', 'mean', index(k)).toFixed(2)).join(' < ')} ` +
      `(every aggregate, with and without the gold filter: ${risesWithRedundancy}); mean >= median >= majority at k = 3, 10 (${ordered}); ` +
      `the gold filter raises alpha ${alphaBefore.toFixed(3)} -> ${alphaAfter.toFixed(3)} (${filterRaisesAlpha}) ` +
      `and rho(mean, k = 10) ${rhoBefore.toFixed(3)} -> ${rhoAfter.toFixed(3)} (${filterRaisesRho}); ${n} replicates`;

    const series = (filter: FilterName, method: AggregationMethod): Series => ({
      name: `${method}${filter === 'gold' ? ' (gold filter)' : ''}`,
      x: [...ks],
      y: ks.map((_, i) => rhoAt(filter, method, i)),
    });
    const alphaSeries = (filter: FilterName): Series => ({
      name: `alpha interval${filter === 'gold' ? ' (gold filter)' : ''}`,
      x: ks.filter((k) => k >= 2),
      y: ks.flatMap((k, i) => (k >= 2 ? [alphaAt(filter, i)] : [])),
    });
    const plots: PlotSpec[] = [
      {
        id: 'gold-correlation',
        title: `Spearman rho(PolitiFact gold, aggregate) vs judgments per statement (${n} replicates)`,
        xLabel: 'judgments per statement',
        yLabel: 'Spearman rho',
        series: (['none', 'gold'] as const).flatMap((f) => METHODS.map((m) => series(f, m))),
      },
      {
        id: 'agreement',
        title: "Krippendorff's alpha (interval) vs judgments per statement",
        xLabel: 'judgments per statement',
        yLabel: 'alpha',
        series: [alphaSeries('none'), alphaSeries('gold')],
      },
    ];
    return {
      metrics,
      claim: { text, holds },
      table: { columns: ['judgments per statement', 'filter', 'rho mean', 'rho median', 'rho majority', 'alpha interval'], rows },
      plots,
    };
  },
};

import type { Experiment, ExperimentContext, ExperimentResult } from '@unbiased/core';
import { mnistToFloat32, splitMnistStratified } from '@unbiased/data-mnist';
import { loadMnist14 } from '@unbiased/data-mnist/auto';
import { summarize } from '../metrics/summary.js';
import type { LabelledData } from '../stream/runner.js';
import { accuracyVsMemoryPlot, FIVE_TASKS, type Method, normsOverTimePlot, pctCell, perSeedCell, type RunMetrics, runGrid } from './common.js';

/** Settings of {@link runUerSplitMnist} per scale. */
export interface UerSplitMnistConfig {
  seeds: number;
  memories: number[];
  /** Train digits per class (undefined: all but the test share). */
  trainPerClass?: number;
  /** Test share per class. */
  testFraction: number;
}

/** Full: 5 seeds, M ∈ {100, 200, 500}, 80/20 split per class (690–902 train digits per class); smoke: 1 seed, M = 100, 100 train per class. */
export const UER_SPLIT_MNIST_SCALES: Record<'smoke' | 'full', UerSplitMnistConfig> = {
  smoke: { seeds: 1, memories: [100], trainPerClass: 100, testFraction: 0.2 },
  full: { seeds: 5, memories: [100, 200, 500], testFraction: 0.2 },
};

const METHODS: Method[] = ['ER', 'UER', 'ER-ACE'];

function toData(ds: { images: Uint8Array; labels: Uint8Array; n: number }): LabelledData {
  return { x: mnistToFloat32(ds as Parameters<typeof mnistToFloat32>[0]), y: Int32Array.from(ds.labels), dim: 196 };
}

/**
 * Split-MNIST, online class-incremental: the 10,000 digits of `@unbiased/data-mnist` (14×14), split per
 * class 80/20 with the seed, 5 tasks of 2 classes seen once in batches of 10 with 10 replayed, SGD 0.1,
 * MLP 196-100-100 + bias-free head, reservoir memory M. ER, UER and ER-ACE share each seed's split, init
 * and stream order. Claim (judged on the mean over seeds): UER's final accuracy ≥ ER's at M = 100 and 200.
 */
export async function runUerSplitMnist(ctx: ExperimentContext, config: UerSplitMnistConfig): Promise<ExperimentResult> {
  const seeds = Array.from({ length: config.seeds }, (_, k) => ctx.seed + k);
  const runs = await uerSplitMnistRuns(ctx, config, seeds);
  ctx.progress(1);
  return summarizeUerSplitMnist(runs, seeds, config, ctx.scale);
}

/** Every run of {@link runUerSplitMnist} for `seeds`, keyed `"<method>@<M>"`; seeds are independent (mergeable). */
export async function uerSplitMnistRuns(ctx: ExperimentContext, config: UerSplitMnistConfig, seeds: readonly number[]): Promise<Map<string, RunMetrics[]>> {
  const all = await loadMnist14();
  return runGrid(ctx, 'uer-split-mnist', seeds, config.memories, METHODS, (rng) => {
    const { train, test } = splitMnistStratified(all, {
      seed: rng.fold('split'),
      testFraction: config.testFraction,
      ...(config.trainPerClass === undefined ? {} : { trainPerClass: config.trainPerClass }),
    });
    return { train: toData(train), test: toData(test) };
  });
}

/** The table, metrics, claim and plots of `uer-split-mnist` from its runs (see {@link uerSplitMnistRuns}). */
export function summarizeUerSplitMnist(runs: ReadonlyMap<string, RunMetrics[]>, seeds: readonly number[], config: UerSplitMnistConfig, scale: 'smoke' | 'full'): ExperimentResult {
  const key = (m: Method, M: number) => `${m}@${M}`;
  const get = (m: Method, M: number) => runs.get(key(m, M)) ?? [];
  const acc = (m: Method, M: number) => get(m, M).map((r) => r.finalAccuracy);
  const metrics: Record<string, number> = { seeds: seeds.length };
  const rows: (string | number)[][] = [];
  for (const M of config.memories) {
    for (const m of METHODS) {
      const rs = get(m, M);
      const s = summarize(rs.map((r) => 100 * r.finalAccuracy));
      const tag = `${m.toLowerCase().replace('-', '_')}_m${M}`;
      metrics[`final_acc_${tag}`] = s.mean;
      metrics[`final_acc_${tag}_sd`] = s.sd;
      metrics[`final_acc_${tag}_lo`] = s.lower;
      metrics[`final_acc_${tag}_hi`] = s.upper;
      metrics[`forgetting_${tag}`] = summarize(rs.map((r) => 100 * r.forgetting)).mean;
      metrics[`recency_${tag}`] = summarize(rs.map((r) => r.recency)).mean;
      rs.forEach((r, i) => {
        metrics[`final_acc_${tag}_seed${seeds[i]}`] = 100 * r.finalAccuracy;
      });
      const norms = FIVE_TASKS.map((_, t) => summarize(rs.map((r) => r.finalNormPerTask[t] as number)).mean);
      rows.push([
        M,
        m,
        pctCell(rs.map((r) => r.finalAccuracy)),
        perSeedCell(rs.map((r) => r.finalAccuracy)),
        pctCell(rs.map((r) => r.forgetting)),
        summarize(rs.map((r) => r.recency)).mean.toFixed(3),
        norms.map((v) => v.toFixed(2)).join(' '),
      ]);
    }
    const gain = acc('UER', M).map((u, i) => 100 * (u - (acc('ER', M)[i] as number)));
    const g = summarize(gain);
    metrics[`gain_pp_m${M}`] = g.mean;
    metrics[`gain_pp_m${M}_lo`] = g.lower;
    metrics[`gain_pp_m${M}_hi`] = g.upper;
    rows.push([M, 'UER − ER (paired)', `${g.mean.toFixed(1)} ± ${g.sd.toFixed(1)} [${g.lower.toFixed(1)}, ${g.upper.toFixed(1)}]`, gain.map((v) => v.toFixed(1)).join(' '), '', '', '']);
  }
  const judged = config.memories.filter((M) => M === 100 || M === 200);
  const failing = judged.filter((M) => (metrics[`final_acc_uer_m${M}`] as number) < (metrics[`final_acc_er_m${M}`] as number)).map((M) => `M=${M}: UER mean below ER`);
  const holds = failing.length === 0;
  const cells = judged
    .map((M) => `M=${M}: UER ${(metrics[`final_acc_uer_m${M}`] as number).toFixed(1)}% vs ER ${(metrics[`final_acc_er_m${M}`] as number).toFixed(1)}%`)
    .join('; ');
  return {
    metrics,
    claim: {
      text: `Split-MNIST (14×14), final average accuracy, mean over ${seeds.length} seed(s): ${cells}. Rule: holds when UER's mean ≥ ER's at every judged M (100, 200).${
        scale === 'smoke' ? ' [smoke scale: 1 seed, 100 train digits per class]' : ''
      }`,
      holds,
      ...(failing.length ? { failing } : {}),
    },
    table: { columns: ['M', 'method', 'final acc % (mean ± sd [95% CI])', 'per seed', 'forgetting %', 'recency', 'final ‖W‖ per task T1..T5'], rows },
    plots: [
      accuracyVsMemoryPlot('uer-split-mnist-accuracy', 'Split-MNIST: final accuracy vs memory size', config.memories, METHODS, acc),
      normsOverTimePlot('uer-split-mnist-norms-er', 'ER', config.memories[0] as number, get('ER', config.memories[0] as number), FIVE_TASKS),
      normsOverTimePlot('uer-split-mnist-norms-uer', 'UER', config.memories[0] as number, get('UER', config.memories[0] as number), FIVE_TASKS),
    ],
  };
}

/** `uer-split-mnist`: UER vs ER vs ER-ACE on real digits. */
export const uerSplitMnistExperiment: Experiment = {
  id: 'uer-split-mnist',
  title: 'UER vs ER vs ER-ACE, online Split-MNIST (14x14, 5 tasks x 2 classes)',
  packageName: '@unbiased/continual-uer',
  paper: {
    title: 'UER: A Heuristic Bias Addressing Approach for Online Continual Learning',
    year: 2023,
    claim: "UER's final average accuracy is at least ER's at small memory (M=100 and M=200) on online class-incremental Split-MNIST.",
    url: 'arXiv:2309.04081',
  },
  run: (ctx) => runUerSplitMnist(ctx, UER_SPLIT_MNIST_SCALES[ctx.scale]),
};

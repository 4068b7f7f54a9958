import * as tf from '@tensorflow/tfjs-core';
import { ensureGradients, type ExperimentContext, Rng } from '@unbiased/core';
import { reservoirBuffer } from '../buffer/reservoir.js';
import { erAceLearner, erLearner, type ReplayLearner, uerLearner } from '../learners/replay.js';
import { accuracyOf, averageForgetting, meanNormPerTask, recencyRatio } from '../metrics/continual.js';
import { summarize } from '../metrics/summary.js';
import { mlpClassifier } from '../model/mlp.js';
import { type LabelledData, runClassIncremental } from '../stream/runner.js';
import type { PlotSpec, Series } from '@unbiased/core';

/** The methods the experiments compare. */
export type Method = 'ER' | 'UER' | 'ER-ACE';

/** The 5 tasks of 2 classes of Split-MNIST / the toy. */
export const FIVE_TASKS: number[][] = [
  [0, 1],
  [2, 3],
  [4, 5],
  [6, 7],
  [8, 9],
];

/** One run's numbers. */
export interface RunMetrics {
  finalAccuracy: number;
  forgetting: number;
  recency: number;
  /** Mean ‖W_c‖ per task after the last task. */
  finalNormPerTask: number[];
  /** Mean ‖W_c‖ per task over time (rows follow `normSteps`). */
  normSteps: number[];
  normPerTask: number[][];
}

/** Trains one method online on one stream and scores it (all tensors freed). */
export async function runMethod(args: {
  method: Method;
  memory: number;
  train: LabelledData;
  test: LabelledData;
  tasks: number[][];
  /** Seeds the model init and stream order (shared by the methods of a seed: paired comparison). */
  rng: Rng;
  hidden?: readonly number[];
  normEvery?: number;
  progress?: (f: number) => void;
  signal?: AbortSignal;
}): Promise<RunMetrics> {
  await ensureGradients();
  const numClasses = args.tasks.flat().length;
  const before = tf.memory().numTensors;
  const model = mlpClassifier({ inputDim: args.train.dim, numClasses, rng: args.rng.fold('model'), hidden: args.hidden ?? [100, 100] });
  const buffer = reservoirBuffer({ capacity: args.memory, dim: args.train.dim, rng: args.rng.fold('buffer') });
  const make = { ER: erLearner, UER: uerLearner, 'ER-ACE': erAceLearner }[args.method];
  const learner: ReplayLearner = make({ model, buffer });
  let metrics: RunMetrics;
  try {
    const r = await runClassIncremental({
      learner,
      train: args.train,
      test: args.test,
      tasks: args.tasks,
      rng: args.rng.fold('stream'),
      normEvery: args.normEvery ?? 50,
      ...(args.progress ? { progress: args.progress } : {}),
      ...(args.signal ? { signal: args.signal } : {}),
    });
    const last = args.tasks[args.tasks.length - 1] as number[];
    metrics = {
      finalAccuracy: accuracyOf(r.finalPredictions, args.test.y),
      forgetting: averageForgetting(r.accuracy),
      recency: recencyRatio(r.finalPredictions, last),
      finalNormPerTask: meanNormPerTask(r.norms[r.norms.length - 1] as number[], args.tasks),
      normSteps: r.normSteps,
      normPerTask: r.norms.map((n) => meanNormPerTask(n, args.tasks)),
    };
  } finally {
    model.dispose();
  }
  if (tf.memory().numTensors !== before) throw new Error(`continual-uer leaked ${tf.memory().numTensors - before} tensors`);
  return metrics;
}

/** `12.3 ± 1.2 [11.0, 13.6]` in percent. */
/** The key of a method and memory size in a run grid: `"<method>@<M>"`. */
export function gridKey(method: Method, memory: number): string {
  return `${method}@${memory}`;
}

/**
 * Every (seed, memory size, method) run of an experiment, keyed by {@link gridKey} (one entry per seed, in
 * seed order). Seed k's data come from `data(rng)` with `rng = Rng.fromSeed(seed).fold(id)`; the methods of
 * a seed share its data, init and stream order (a paired comparison). Seeds are independent, so runs may be
 * split across processes and merged.
 */
export async function runGrid(
  ctx: ExperimentContext,
  id: string,
  seeds: readonly number[],
  memories: readonly number[],
  methods: readonly Method[],
  data: (rng: Rng) => { train: LabelledData; test: LabelledData },
): Promise<Map<string, RunMetrics[]>> {
  const runs = new Map<string, RunMetrics[]>();
  const total = seeds.length * memories.length * methods.length;
  let done = 0;
  for (const seed of seeds) {
    const rng = Rng.fromSeed(seed).fold(id);
    const seedData = data(rng);
    for (const M of memories) {
      for (const method of methods) {
        const label = `seed ${seed}, ${method}, M=${M}`;
        const r = await runMethod({
          method,
          memory: M,
          ...seedData,
          tasks: FIVE_TASKS,
          rng: rng.fold('run'),
          progress: (f) => ctx.progress((done + f) / total, label),
          ...(ctx.signal ? { signal: ctx.signal } : {}),
        });
        runs.set(gridKey(method, M), [...(runs.get(gridKey(method, M)) ?? []), r]);
        done += 1;
      }
    }
  }
  return runs;
}

export function pctCell(values: readonly number[]): string {
  const s = summarize(values.map((v) => 100 * v));
  return s.n > 1 ? `${s.mean.toFixed(1)} ± ${s.sd.toFixed(1)} [${s.lower.toFixed(1)}, ${s.upper.toFixed(1)}]` : s.mean.toFixed(1);
}

/** Per-seed values in percent, one decimal, space-separated. */
export function perSeedCell(values: readonly number[], scale = 100, digits = 1): string {
  return values.map((v) => (scale * v).toFixed(digits)).join(' ');
}

/** Accuracy vs memory size: one series per method, the 95% t-interval over seeds as error bars. */
export function accuracyVsMemoryPlot(id: string, title: string, memories: readonly number[], methods: readonly Method[], acc: (m: Method, M: number) => number[]): PlotSpec {
  return {
    id,
    title,
    kind: 'point',
    xLabel: 'memory size M',
    yLabel: 'final average accuracy (%)',
    categories: memories.map((M) => `M=${M}`),
    caption: 'Mean over seeds; error bars are the 95% Student-t interval of the mean.',
    series: methods.map((m) => {
      const sums = memories.map((M) => summarize(acc(m, M).map((v) => 100 * v)));
      return {
        name: m,
        x: memories.map((_, i) => i),
        y: sums.map((s) => s.mean),
        lower: sums.map((s) => s.lower),
        upper: sums.map((s) => s.upper),
        role: m === 'UER' ? 'method' : 'baseline',
      } satisfies Series;
    }),
  };
}

/** Mean head norm per task over training steps, one band (95% interval over seeds) per task. */
export function normsOverTimePlot(id: string, method: Method, memory: number, runs: readonly RunMetrics[], tasks: number[][]): PlotSpec {
  const steps = runs[0]?.normSteps ?? [];
  return {
    id,
    title: `${method}: mean head norm per task (M=${memory})`,
    kind: 'band',
    xLabel: 'online step',
    yLabel: 'mean ‖W_c‖ of the task’s classes',
    caption: 'Mean over seeds with the 95% interval; the norm of the classes of task t grows from when task t arrives.',
    series: tasks.map((classes, t) => {
      const sums = steps.map((_, k) => summarize(runs.map((r) => r.normPerTask[k]?.[t] as number)));
      return {
        name: `task ${t + 1} (${classes.join(',')})`,
        x: [...steps],
        y: sums.map((s) => s.mean),
        lower: sums.map((s) => s.lower),
        upper: sums.map((s) => s.upper),
      };
    }),
  };
}

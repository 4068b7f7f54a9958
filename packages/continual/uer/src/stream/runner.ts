import type { Rng } from '@unbiased/core';
import { checkOptionalInteger, UnbiasedError } from '@unbiased/core/errors';
import type { ReplayLearner } from '../learners/replay.js';
import { checkLabels } from '../learners/replay.js';

/** Labelled examples on the host: `x` is `y.length × dim`, row-major. */
export interface LabelledData {
  x: Float32Array;
  y: ArrayLike<number>;
  dim: number;
}

/** Options of {@link runOnlineStream}. */
export interface OnlineStreamOptions {
  learner: ReplayLearner;
  /** The stream, in arrival order; each example is seen once. */
  stream: LabelledData;
  /** Incoming batch size. Default 10 (Mai et al.'s online-CL code). */
  batchSize?: number;
  /**
   * Optional boundaries: example counts after which `onBoundary` is called (e.g. task ends). The learner
   * never sees them (task-free), they only schedule evaluations.
   */
  boundaries?: readonly number[];
  onBoundary?: (index: number, examplesSeen: number) => Promise<void> | void;
  /** Called every `everySteps` steps (e.g. to record head norms). */
  everySteps?: number;
  onSteps?: (step: number) => Promise<void> | void;
  progress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Feeds a stream once, in order, in batches of `batchSize` to `learner.step` (single pass, one SGD step
 * per batch, "online" continual learning as in Aljundi et al., "Online Continual Learning with Maximally
 * Interfered Retrieval", NeurIPS 2019, §2). Batches never straddle a boundary. Validates every label
 * against the learner's head before the first step (`INVALID_ARGUMENT`, field `stream.y`).
 */
export async function runOnlineStream(options: OnlineStreamOptions): Promise<void> {
  const { learner, stream } = options;
  const dim = learner.model.inputDim;
  if (stream.dim !== dim || stream.x.length !== stream.y.length * dim) {
    throw new UnbiasedError('SHAPE_MISMATCH', `stream must hold ${stream.y.length} x ${dim} inputs; got dim ${stream.dim}, ${stream.x.length} values`, {
      field: 'stream.x',
    });
  }
  checkLabels(stream.y, learner.model.numClasses, 'stream.y');
  const batch = checkOptionalInteger('batchSize', options.batchSize, 10, { min: 1 });
  const every = checkOptionalInteger('everySteps', options.everySteps, 0, { min: 0 });
  const n = stream.y.length;
  const bounds = [...(options.boundaries ?? [])];
  bounds.forEach((b, i) => {
    if (!Number.isInteger(b) || b < 1 || b > n || (i > 0 && b <= (bounds[i - 1] as number))) {
      throw new UnbiasedError('INVALID_ARGUMENT', `boundaries must increase within [1, ${n}]; got ${b} at ${i}`, { field: 'boundaries' });
    }
  });
  let next = 0;
  let start = 0;
  while (start < n) {
    options.signal?.throwIfAborted();
    const stop = Math.min(start + batch, next < bounds.length ? (bounds[next] as number) : n, n);
    const yb = Array.from({ length: stop - start }, (_, k) => stream.y[start + k] as number);
    learner.step(stream.x.subarray(start * dim, stop * dim), yb);
    start = stop;
    if (every > 0 && learner.steps % every === 0) await options.onSteps?.(learner.steps);
    while (next < bounds.length && start >= (bounds[next] as number)) {
      await options.onBoundary?.(next, start);
      next += 1;
    }
    options.progress?.(start / n);
  }
}

/** Options of {@link runClassIncremental}. */
export interface ClassIncrementalOptions {
  learner: ReplayLearner;
  train: LabelledData;
  test: LabelledData;
  /** Classes of each task, e.g. `[[0, 1], [2, 3], ...]`; every class of the data must be in one task. */
  tasks: readonly (readonly number[])[];
  /** Shuffles the examples within each task. */
  rng: Rng;
  batchSize?: number;
  /** Record head norms every this many steps (default 0: at task ends only). */
  normEvery?: number;
  progress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/** What {@link runClassIncremental} measured. */
export interface ClassIncrementalResult {
  /** `accuracy[t][j]`: accuracy on task j's test examples after training on task t (all outputs). */
  accuracy: number[][];
  /** Predictions on the whole test set after the last task. */
  finalPredictions: Int32Array;
  /** Head norms ‖W_c‖ (`norms[k][c]`) after `normSteps[k]` steps (0 = before training, then as scheduled and at task ends). */
  normSteps: number[];
  norms: number[][];
  /** Step count at each task end. */
  taskEndSteps: number[];
}

/**
 * Online class-incremental learning: the tasks arrive one after the other, each task's training examples
 * shuffled and seen once in batches; after each task the whole test set is predicted (over all outputs,
 * no task identity at test time, the "nc" setting of Mai et al., "Online Continual Learning in Image
 * Classification: An Empirical Survey", Neurocomputing 2022, §3).
 */
export async function runClassIncremental(options: ClassIncrementalOptions): Promise<ClassIncrementalResult> {
  const { learner, train, test, tasks, rng } = options;
  const D = learner.model.inputDim;
  checkLabels(train.y, learner.model.numClasses, 'train.y');
  checkLabels(test.y, learner.model.numClasses, 'test.y');
  const taskOf = new Map<number, number>();
  tasks.forEach((classes, t) => {
    for (const c of classes) {
      if (taskOf.has(c)) throw new UnbiasedError('INVALID_ARGUMENT', `class ${c} appears in two tasks`, { field: 'tasks' });
      taskOf.set(c, t);
    }
  });
  const order: number[] = [];
  const boundaries: number[] = [];
  tasks.forEach((classes, t) => {
    const idx: number[] = [];
    const wanted = new Set(classes);
    for (let i = 0; i < train.y.length; i++) if (wanted.has(train.y[i] as number)) idx.push(i);
    if (idx.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', `task ${t} has no training examples`, { field: 'tasks' });
    const r = rng.fold(`task${t}`);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
    }
    order.push(...idx);
    boundaries.push(order.length);
  });
  for (let i = 0; i < train.y.length; i++) {
    if (!taskOf.has(train.y[i] as number)) throw new UnbiasedError('INVALID_ARGUMENT', `train label ${train.y[i]} is in no task`, { field: 'tasks' });
  }
  const x = new Float32Array(order.length * D);
  const y = new Int32Array(order.length);
  order.forEach((i, k) => {
    x.set(train.x.subarray(i * D, (i + 1) * D), k * D);
    y[k] = train.y[i] as number;
  });
  const testTask = Array.from(test.y, (c) => taskOf.get(c) ?? -1);
  const accuracy: number[][] = [];
  const normSteps: number[] = [0];
  const norms: number[][] = [Array.from(await learner.headNorms())];
  const taskEndSteps: number[] = [];
  let finalPredictions: Int32Array = new Int32Array(0);
  const recordNorms = async (step: number) => {
    if (normSteps[normSteps.length - 1] === step) return;
    normSteps.push(step);
    norms.push(Array.from(await learner.headNorms()));
  };
  await runOnlineStream({
    learner,
    stream: { x, y, dim: D },
    ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
    boundaries,
    everySteps: options.normEvery ?? 0,
    onSteps: recordNorms,
    async onBoundary() {
      const pred = await learner.predict(test.x);
      const correct = new Array<number>(tasks.length).fill(0);
      const total = new Array<number>(tasks.length).fill(0);
      pred.forEach((p, i) => {
        const t = testTask[i] as number;
        if (t < 0) return;
        total[t]! += 1;
        if (p === test.y[i]) correct[t]! += 1;
      });
      accuracy.push(correct.map((c, t) => (total[t] ? c / (total[t] as number) : Number.NaN)));
      taskEndSteps.push(learner.steps);
      await recordNorms(learner.steps);
      finalPredictions = pred;
    },
    ...(options.progress ? { progress: options.progress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { accuracy, finalPredictions, normSteps, norms, taskEndSteps };
}

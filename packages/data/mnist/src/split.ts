import { Rng } from '@unbiased/core';
import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { MNIST14_PIXELS, type MnistDataset } from './types.js';

/** A new dataset holding the digits at `indices` (in that order); the pixels are copied. */
export function subsetMnist(ds: MnistDataset, indices: ArrayLike<number>): MnistDataset {
  const n = indices.length;
  const images = new Uint8Array(n * MNIST14_PIXELS);
  const labels = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k] as number;
    if (!Number.isInteger(i) || i < 0 || i >= ds.n) {
      throw new UnbiasedError('INVALID_ARGUMENT', `index ${i} is outside [0, ${ds.n})`, { field: 'indices' });
    }
    labels[k] = ds.labels[i] as number;
    images.set(ds.images.subarray(i * MNIST14_PIXELS, (i + 1) * MNIST14_PIXELS), k * MNIST14_PIXELS);
  }
  return { images, labels, n, height: 14, width: 14 };
}

function checkClasses(classes: readonly number[]): void {
  if (classes.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'classes must not be empty', { field: 'classes' });
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c > 9) {
      throw new UnbiasedError('INVALID_ARGUMENT', `class ${c} is not a digit 0..9`, { field: 'classes' });
    }
  }
}

/** The digits whose label is in `classes`, in their original order (copied). */
export function filterMnistClasses(ds: MnistDataset, classes: readonly number[]): MnistDataset {
  checkClasses(classes);
  const keep = new Set(classes);
  const idx: number[] = [];
  for (let i = 0; i < ds.n; i++) if (keep.has(ds.labels[i] as number)) idx.push(i);
  return subsetMnist(ds, idx);
}

/** Number of digits per class (length 10). */
export function mnistClassCounts(ds: MnistDataset): number[] {
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < ds.n; i++) counts[ds.labels[i] as number]! += 1;
  return counts;
}

/** Pixels as float32 in [0, 1] (`p / 255`), `n * 196` values, digit-major. */
export function mnistToFloat32(ds: MnistDataset): Float32Array {
  const out = new Float32Array(ds.images.length);
  for (let i = 0; i < out.length; i++) out[i] = (ds.images[i] as number) / 255;
  return out;
}

/** Options of {@link splitMnistStratified}. */
export interface StratifiedSplitOptions {
  /** Seed of the shuffle (or an {@link Rng}); the same seed gives the same split. */
  seed: number | Rng;
  /** Share of each class held out for test, when `testPerClass` is not given. Default 0.2. */
  testFraction?: number;
  /** Exact test digits per class (overrides `testFraction`). */
  testPerClass?: number;
  /** Train digits per class (default: all the class's remaining digits). */
  trainPerClass?: number;
  /** Classes to keep (default all ten). */
  classes?: readonly number[];
}

/**
 * Deterministic stratified train/test split: each class's digits are shuffled (Fisher-Yates with the
 * seeded {@link Rng}), the first `testPerClass` (default `round(testFraction * count)`) go to test and the
 * next `trainPerClass` (default: the rest) to train. Both outputs are ordered by class, then shuffle order.
 * Throws `INVALID_ARGUMENT` when a class has fewer digits than asked for.
 */
export function splitMnistStratified(
  ds: MnistDataset,
  options: StratifiedSplitOptions,
): { train: MnistDataset; test: MnistDataset } {
  const rng = typeof options.seed === 'number' ? Rng.fromSeed(options.seed) : options.seed;
  const classes = options.classes ?? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  checkClasses(classes);
  const fraction = checkHyperparameter('testFraction', options.testFraction ?? 0.2, { min: 0, max: 1 });
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < ds.n; i++) byClass[ds.labels[i] as number]!.push(i);
  const train: number[] = [];
  const test: number[] = [];
  for (const c of classes) {
    const idx = byClass[c]!;
    for (let i = idx.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
    const nTest = options.testPerClass ?? Math.round(fraction * idx.length);
    const nTrain = options.trainPerClass ?? idx.length - nTest;
    for (const [field, v] of [['testPerClass', nTest], ['trainPerClass', nTrain]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new UnbiasedError('INVALID_ARGUMENT', `${field} must be a non-negative integer; got ${v}`, { field });
    }
    if (nTest + nTrain > idx.length) {
      throw new UnbiasedError(
        'INVALID_ARGUMENT',
        `class ${c} has ${idx.length} digits, fewer than ${nTest} test + ${nTrain} train`,
        { field: options.trainPerClass === undefined ? 'testPerClass' : 'trainPerClass' },
      );
    }
    test.push(...idx.slice(0, nTest));
    train.push(...idx.slice(nTest, nTest + nTrain));
  }
  return { train: subsetMnist(ds, train), test: subsetMnist(ds, test) };
}

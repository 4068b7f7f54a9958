/**
 * Random forest of CART trees: bootstrap rows and per-node feature subsampling, each tree seeded from a
 * counter-based generator folded by the tree's index (so tree k is the same whatever the forest size).
 */
import { Rng } from '@unbiased/core';
import { checkOptions, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';
import { checkBinaryTargets, checkFiniteMatrix, type FeatureMatrix } from '../data/matrix.js';
import { type DecisionTreeOptions, growTree, presortColumns, resolveTreeOptions } from './cart.js';
import { checkRoutable, type DecisionTree } from './decision-tree.js';

/** Options of {@link fitRandomForest}. */
export interface RandomForestOptions extends Omit<DecisionTreeOptions, 'rng' | 'maxFeatures'> {
  /** Number of trees; default 100 (scikit-learn and the FairTTTS code). */
  trees?: number;
  /** Features drawn per node; default `'sqrt'` (scikit-learn's classifier default). */
  maxFeatures?: number | 'sqrt' | 'all';
  /** Draw a bootstrap sample of n rows with replacement for each tree; default true. */
  bootstrap?: boolean;
  /** Seed or generator; tree k uses `rng.fold(k)`. Default 0. */
  rng?: Rng | number;
  /** Called after each tree with (fitted, total), e.g. for a progress bar. */
  onTree?: (fitted: number, total: number) => void;
}

/**
 * A fitted random forest: P(y = 1) is the mean of the trees' leaf class fractions (scikit-learn's
 * `RandomForestClassifier.predict_proba`).
 *
 * Reference: Breiman, "Random Forests", Machine Learning 45, 2001, §2.
 */
export class RandomForest {
  readonly trees: readonly DecisionTree[];
  readonly columns: number;
  /** Union of the trees' split features. */
  readonly usedFeatures: Int32Array;

  constructor(trees: readonly DecisionTree[]) {
    if (trees.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'a forest needs at least one tree', { field: 'trees' });
    this.trees = trees;
    this.columns = (trees[0] as DecisionTree).columns;
    const used = new Set<number>();
    for (const tree of trees) for (const f of tree.usedFeatures) used.add(f);
    this.usedFeatures = Int32Array.from([...used].sort((a, b) => a - b));
  }

  /** P(y = 1) per row: the mean over trees of the leaf's class-1 fraction (no test-time simulation). */
  predictProba(x: FeatureMatrix): Float64Array {
    checkRoutable(x, this.columns, this.usedFeatures);
    const out = new Float64Array(x.rows);
    for (const tree of this.trees) {
      for (let r = 0; r < x.rows; r++) out[r] = (out[r] as number) + (tree.positiveFraction[tree.leafOfRow(x.values, r * x.columns)] as number);
    }
    for (let r = 0; r < x.rows; r++) out[r] = (out[r] as number) / this.trees.length;
    return out;
  }
}

/**
 * Fits a random forest of CART trees (Gini, midpoint thresholds, `minSamplesLeaf` default 20 as the FairTTTS
 * code, `maxFeatures` default ⌊√columns⌋, bootstrap of n rows). Tree k draws its bootstrap and its feature
 * orders from `rng.fold(k)`.
 *
 * Reference: Breiman, "Random Forests", Machine Learning 45, 2001, §§2–4.
 */
export function fitRandomForest(x: FeatureMatrix, labels: ArrayLike<number>, options?: RandomForestOptions): RandomForest {
  checkFiniteMatrix('x', x);
  checkBinaryTargets('labels', labels, x.rows);
  const o = checkOptions(options);
  const trees = o.trees === undefined ? 100 : checkPositiveInteger('trees', o.trees);
  const bootstrap = o.bootstrap ?? true;
  if (typeof bootstrap !== 'boolean') throw new UnbiasedError('INVALID_ARGUMENT', 'bootstrap must be a boolean', { field: 'bootstrap' });
  const rng = o.rng === undefined ? Rng.fromSeed(0) : typeof o.rng === 'number' ? Rng.fromSeed(o.rng) : o.rng;
  const base = resolveTreeOptions({ ...o, maxFeatures: o.maxFeatures ?? 'sqrt', rng }, x.columns);
  const presorted = presortColumns(x);
  const fitted: DecisionTree[] = [];
  for (let k = 0; k < trees; k++) {
    const treeRng = rng.fold(k);
    let counts: Int32Array | null = null;
    if (bootstrap) {
      counts = new Int32Array(x.rows);
      const u = treeRng.fold('bootstrap').uniform(x.rows);
      for (let i = 0; i < x.rows; i++) {
        const row = Math.floor((u[i] as number) * x.rows);
        counts[row] = (counts[row] as number) + 1;
      }
    }
    fitted.push(growTree(x, labels, counts, presorted, { ...base, rng: treeRng.fold('features') }));
    o.onTree?.(k + 1, trees);
  }
  return new RandomForest(fitted);
}

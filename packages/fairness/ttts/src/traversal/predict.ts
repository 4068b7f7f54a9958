/**
 * TTTS / FairTTTS predictions of a tree or forest: the exact path-probability value and its seeded Monte
 * Carlo estimate.
 */
import { hashIndex, Rng, UNIFORM_SCALE } from '@unbiased/core';
import { checkOptions, UnbiasedError } from '@unbiased/core/errors';
import type { FeatureMatrix } from '../data/matrix.js';
import { checkRoutable, DecisionTree } from '../tree/decision-tree.js';
import type { RandomForest } from '../tree/random-forest.js';
import { flipProbability, nodeNormalisers, type ResolvedTraversal, resolveTraversal, type TraversalOptions } from './flip-probability.js';

/** A fitted tree or forest. */
export type TreeModel = DecisionTree | RandomForest;

function treesOf(model: TreeModel): readonly DecisionTree[] {
  return model instanceof DecisionTree ? [model] : model.trees;
}

function prepare(model: TreeModel, x: FeatureMatrix, options: TraversalOptions | undefined): ResolvedTraversal {
  const columns = model.columns;
  const resolved = resolveTraversal(options, x, columns);
  checkRoutable(x, columns, model.usedFeatures);
  return resolved;
}

/**
 * Exact TTTS / FairTTTS P(y = 1) per row: every root-to-leaf path is weighted by the product of its branch
 * probabilities (1 − p on the natural child, p on the other), and the leaves' class-1 fractions are summed
 * with those weights; a forest averages its trees. The flip probability at a node depends on the row only,
 * not on the path, so this is the limit of {@link predictProbaMonteCarlo} as the number of runs grows.
 * Cost: the nodes reachable with non-zero probability per row (the whole tree when p > 0 everywhere).
 * With `pMax = 0` it returns the base model's `predictProba` bit for bit.
 *
 * Reference: Cohen, Arbili, Mirsky & Rokach, "TTTS: Tree Test Time Simulation for Enhancing Decision Tree
 * Robustness against Adversarial Examples", AAAI 2024, §3 (distance heuristic); Cohen-Inger, Rokach,
 * Shapira & Cohen, "FairTTTS: A Tree Test Time Simulation Method for Fairness-Aware Classification",
 * arXiv 2501.08155, 2025, §3 (protected-node boost α).
 */
export function predictProbaExact(model: TreeModel, x: FeatureMatrix, options?: TraversalOptions): Float64Array {
  const t = prepare(model, x, options);
  const trees = treesOf(model);
  const out = new Float64Array(x.rows);
  for (const tree of trees) {
    const norms = nodeNormalisers(tree, t.distanceNorm);
    const nodes = new Int32Array(tree.nodeCount + 1);
    const masses = new Float64Array(tree.nodeCount + 1);
    const { feature, threshold, left, right, positiveFraction } = tree;
    for (let r = 0; r < x.rows; r++) {
      const offset = r * x.columns;
      let top = 0;
      nodes[0] = 0;
      masses[0] = 1;
      let sum = 0;
      while (top >= 0) {
        const node = nodes[top] as number;
        const mass = masses[top] as number;
        top--;
        const f = feature[node] as number;
        if (f < 0) {
          sum += mass * (positiveFraction[node] as number);
          continue;
        }
        const p = flipProbability(tree, norms, node, x.values, offset, t);
        const goesLeft = (x.values[offset + f] as number) <= (threshold[node] as number);
        const natural = goesLeft ? (left[node] as number) : (right[node] as number);
        const other = goesLeft ? (right[node] as number) : (left[node] as number);
        if (p > 0) {
          top++;
          nodes[top] = other;
          masses[top] = mass * p;
        }
        top++;
        nodes[top] = natural;
        masses[top] = mass * (1 - p);
      }
      out[r] = (out[r] as number) + sum;
    }
  }
  if (trees.length > 1) for (let r = 0; r < x.rows; r++) out[r] = (out[r] as number) / trees.length;
  return out;
}

/** Options of {@link predictProbaMonteCarlo}. */
export interface MonteCarloOptions extends TraversalOptions {
  /**
   * Traversals per row and tree (S). Default: 100 for a tree (the FairTTTS paper's S) and 1 for a forest
   * (the released RF code makes one stochastic traversal per tree and averages over trees).
   */
  runs?: number;
  /** Seed or generator of the uniforms; default 0. */
  rng?: Rng | number;
}

/**
 * Seeded Monte Carlo TTTS / FairTTTS P(y = 1) per row: S stochastic traversals per row and tree; at each
 * split node the row takes the other child iff u < p (strict, so p = 0 never flips), and the visited
 * leaves' class-1 fractions are averaged (over runs, then trees).
 *
 * The uniforms are path-independent: u = U[tree, row, run, depth] from the counter-based hash
 * (`rng.prefix(tree)`, then row·S + run, then the depth), so a row's draws do not depend on the path it
 * takes or on other rows. Hence α = 1 reproduces TTTS bit for bit, and privileged rows (never boosted)
 * get identical results for every α under the same seed.
 *
 * Reference: Cohen et al., "TTTS", AAAI 2024, §3; Cohen-Inger et al., "FairTTTS", arXiv 2501.08155, §3.
 */
export function predictProbaMonteCarlo(model: TreeModel, x: FeatureMatrix, options?: MonteCarloOptions): Float64Array {
  const t = prepare(model, x, options);
  const o = checkOptions(options);
  const trees = treesOf(model);
  const runs = o.runs ?? (trees.length === 1 && model instanceof DecisionTree ? 100 : 1);
  if (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 1) {
    throw new UnbiasedError('INVALID_HYPERPARAMETER', `runs must be an integer >= 1; got ${String(runs)}`, { field: 'runs' });
  }
  if (x.rows * runs >= 2 ** 32) {
    throw new UnbiasedError('INVALID_ARGUMENT', `rows × runs must be below 2^32; got ${x.rows * runs}`, { field: 'runs' });
  }
  const rng = o.rng === undefined ? Rng.fromSeed(0) : typeof o.rng === 'number' ? Rng.fromSeed(o.rng) : o.rng;
  if (!(rng instanceof Rng)) throw new UnbiasedError('INVALID_ARGUMENT', 'rng must be a seed or an Rng', { field: 'rng' });
  const out = new Float64Array(x.rows);
  trees.forEach((tree, k) => {
    monteCarloTree(tree, x, t, rng.prefix(k), runs, out);
  });
  if (trees.length > 1) for (let r = 0; r < x.rows; r++) out[r] = (out[r] as number) / trees.length;
  return out;
}

/** Adds one tree's Monte Carlo P(y = 1) per row to `out`; p is computed once per (row, node) and cached. */
function monteCarloTree(tree: DecisionTree, x: FeatureMatrix, t: ResolvedTraversal, treePrefix: number, runs: number, out: Float64Array): void {
  const norms = nodeNormalisers(tree, t.distanceNorm);
  const { feature, threshold, left, right, positiveFraction } = tree;
  const values = x.values;
  const columns = x.columns;
  const cachedP = new Float64Array(tree.nodeCount);
  const cachedRow = new Int32Array(tree.nodeCount).fill(-1);
  for (let r = 0; r < x.rows; r++) {
    const offset = r * columns;
    let sum = 0;
    for (let run = 0; run < runs; run++) {
      const runPrefix = hashIndex(treePrefix, r * runs + run);
      let node = 0;
      let depth = 0;
      let f = feature[0] as number;
      while (f >= 0) {
        let p: number;
        if (cachedRow[node] === r) p = cachedP[node] as number;
        else {
          p = flipProbability(tree, norms, node, values, offset, t);
          cachedP[node] = p;
          cachedRow[node] = r;
        }
        const goesLeft = (values[offset + f] as number) <= (threshold[node] as number);
        const flip = p > 0 && (hashIndex(runPrefix, depth) >>> 8) * UNIFORM_SCALE < p;
        node = goesLeft !== flip ? (left[node] as number) : (right[node] as number);
        depth++;
        f = feature[node] as number;
      }
      sum += positiveFraction[node] as number;
    }
    out[r] = (out[r] as number) + (runs === 1 ? sum : sum / runs);
  }
}

/** Hard labels from P(y = 1): 1 iff p > 0.5 (argmax of [1 − p, p]; a tie goes to class 0, as numpy's argmax). */
export function labelsFromProba(proba: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(proba.length);
  for (let i = 0; i < proba.length; i++) out[i] = (proba[i] as number) > 0.5 ? 1 : 0;
  return out;
}

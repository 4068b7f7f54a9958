/**
 * The FairTTTS evaluation protocol shared by the experiments: stratified k-fold CV, categoricals
 * target-encoded inside each training fold, a decision tree and a random forest, and per fold the base
 * model, TTTS (α = 1), FairTTTS at each α and two post-processing baselines, scored with the AIF360 metrics.
 */
import type { Rng } from '@unbiased/core';
import { accuracy, fairnessReport } from '@unbiased/metrics';
import type { FeatureMatrix } from '../data/matrix.js';
import { fitThresholdOptimizer } from '../postprocess/threshold-optimizer.js';
import { rejectOptionClassify } from '../postprocess/reject-option.js';
import { stratifiedKFold } from '../preprocess/stratified-k-fold.js';
import { fitTargetEncoder } from '../preprocess/target-encoding.js';
import { labelsFromProba, predictProbaMonteCarlo, type TreeModel } from '../traversal/predict.js';
import { fitDecisionTree } from '../tree/cart.js';
import { DecisionTree } from '../tree/decision-tree.js';
import { fitRandomForest } from '../tree/random-forest.js';

/** A tabular binary-classification data set with a binary protected attribute. */
export interface TabularData {
  rows: number;
  numeric: Float64Array[];
  /** Category strings; `null` (missing) is encoded as its own level. */
  categorical: (string | null)[][];
  /** 1 = privileged, 0 = unprivileged. */
  protectedAttribute: Uint8Array;
  /** 1 = favourable. */
  labels: Uint8Array;
}

/** Column layout of the fold matrices: numeric columns, target-encoded categoricals, then A. */
export function buildFoldMatrices(data: TabularData, train: Int32Array, test: Int32Array): { train: FeatureMatrix; test: FeatureMatrix; protectedFeature: number } {
  const columns = data.numeric.length + data.categorical.length + 1;
  const encoded = data.categorical.map((column) => {
    const categories = column.map((c) => c ?? '?');
    return fitTargetEncoder(categories, data.labels, train).transform(categories);
  });
  const all = [...data.numeric, ...encoded, Float64Array.from(data.protectedAttribute)];
  const fill = (rows: Int32Array): FeatureMatrix => {
    const values = new Float64Array(rows.length * columns);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i] as number;
      for (let j = 0; j < columns; j++) values[i * columns + j] = (all[j] as Float64Array)[r] as number;
    }
    return { rows: rows.length, columns, values };
  };
  return { train: fill(train), test: fill(test), protectedFeature: columns - 1 };
}

/** The scores of one method on one fold. */
export interface FoldScores {
  accuracy: number;
  spd: number;
  di: number;
  eod: number;
  aod: number;
}

/** Settings of {@link runFairTttsCv}. */
export interface CvSettings {
  folds: number;
  alphas: readonly number[];
  /** Runs per row for the DT (S). */
  treeRuns: number;
  forestTrees: number;
  models: readonly ('DT' | 'RF')[];
  rng: Rng;
  pMax?: number;
  onProgress?: (fraction: number, status: string) => void;
  signal?: AbortSignal;
}

/** Per-fold diagnostics of the fitted DT. */
export interface FoldDiagnostics {
  treeMaxAbsThreshold: number;
  treeProtectedSplits: number;
  /** Depth of the shallowest DT split on A (NaN when none). */
  treeProtectedMinDepth: number;
  /** Training rows reaching a DT split on A, summed over those splits, over all training rows. */
  treeProtectedRowShare: number;
  forestMinMaxAbsThreshold: number;
}

/** Results: `scores[model][method]` holds one entry per fold. */
export interface CvResults {
  methods: string[];
  scores: Record<string, Record<string, FoldScores[]>>;
  diagnostics: FoldDiagnostics[];
}

function score(predictions: Uint8Array, labels: Uint8Array, groups: Uint8Array): FoldScores {
  const report = fairnessReport(predictions, labels, groups, { privileged: 1, favorable: 1 });
  return {
    accuracy: accuracy(predictions, labels),
    spd: report.statisticalParityDifference,
    di: report.disparateImpact,
    eod: report.equalOpportunityDifference,
    aod: report.averageOddsDifference,
  };
}

/** Method label of FairTTTS at `alpha` (α = 1 is TTTS). */
export function methodName(alpha: number): string {
  return alpha === 1 ? 'TTTS' : `FairTTTS a=${alpha}`;
}

/**
 * Runs the protocol. The fold assignment, the forest seeds and the traversal seeds come from
 * `settings.rng`; the traversal seed of a fold is the same for every α, so the α runs are paired.
 */
export async function runFairTttsCv(data: TabularData, settings: CvSettings): Promise<CvResults> {
  const foldOf = stratifiedKFold(data.labels, settings.folds, settings.rng.fold('folds'));
  const methods = ['base', ...settings.alphas.map(methodName), 'reject-option', 'threshold-optimizer'];
  const scores: Record<string, Record<string, FoldScores[]>> = {};
  for (const model of settings.models) scores[model] = Object.fromEntries(methods.map((m) => [m, [] as FoldScores[]]));
  const diagnostics: FoldDiagnostics[] = [];
  const steps = settings.folds * settings.models.length;
  let done = 0;
  for (let fold = 0; fold < settings.folds; fold++) {
    if (settings.signal?.aborted) break;
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < data.rows; i++) (foldOf[i] === fold ? test : train).push(i);
    const trainRows = Int32Array.from(train);
    const testRows = Int32Array.from(test);
    const { train: xTrain, test: xTest, protectedFeature } = buildFoldMatrices(data, trainRows, testRows);
    const yTrain = Uint8Array.from(train, (i) => data.labels[i] as number);
    const yTest = Uint8Array.from(test, (i) => data.labels[i] as number);
    const aTrain = Uint8Array.from(train, (i) => data.protectedAttribute[i] as number);
    const aTest = Uint8Array.from(test, (i) => data.protectedAttribute[i] as number);
    const traversalRng = settings.rng.fold('traversal').fold(fold);
    const diag: FoldDiagnostics = {
      treeMaxAbsThreshold: Number.NaN,
      treeProtectedSplits: 0,
      treeProtectedMinDepth: Number.NaN,
      treeProtectedRowShare: 0,
      forestMinMaxAbsThreshold: Number.NaN,
    };
    for (const modelName of settings.models) {
      let model: TreeModel;
      if (modelName === 'DT') {
        const tree = fitDecisionTree(xTrain, yTrain, { minSamplesLeaf: 20 });
        diag.treeMaxAbsThreshold = tree.maxAbsThreshold;
        const protectedNodes = Array.from(tree.feature.keys()).filter((i) => tree.feature[i] === protectedFeature);
        diag.treeProtectedSplits = protectedNodes.length;
        diag.treeProtectedMinDepth = protectedNodes.length ? Math.min(...protectedNodes.map((i) => tree.depth[i] as number)) : Number.NaN;
        diag.treeProtectedRowShare = protectedNodes.reduce((a, i) => a + (tree.samples[i] as number), 0) / (tree.samples[0] as number);
        model = tree;
      } else {
        const forest = fitRandomForest(xTrain, yTrain, { trees: settings.forestTrees, minSamplesLeaf: 20, rng: settings.rng.fold('forest').fold(fold) });
        diag.forestMinMaxAbsThreshold = Math.min(...forest.trees.map((t) => t.maxAbsThreshold));
        model = forest;
      }
      const byMethod = scores[modelName] as Record<string, FoldScores[]>;
      const baseTest = model.predictProba(xTest);
      byMethod.base?.push(score(labelsFromProba(baseTest), yTest, aTest));
      for (const alpha of settings.alphas) {
        const proba = predictProbaMonteCarlo(model, xTest, {
          pMax: settings.pMax ?? 0.1,
          alpha,
          protectedFeature,
          unprivilegedValue: 0,
          runs: model instanceof DecisionTree ? settings.treeRuns : 1,
          rng: traversalRng,
        });
        byMethod[methodName(alpha)]?.push(score(labelsFromProba(proba), yTest, aTest));
      }
      byMethod['reject-option']?.push(score(rejectOptionClassify(baseTest, aTest, { margin: 0.05 }), yTest, aTest));
      const optimizer = fitThresholdOptimizer(model.predictProba(xTrain), yTrain, aTrain);
      byMethod['threshold-optimizer']?.push(score(optimizer.predict(baseTest, aTest, traversalRng.fold('threshold-optimizer')), yTest, aTest));
      done++;
      settings.onProgress?.(done / steps, `fold ${fold + 1}/${settings.folds} ${modelName}`);
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    diagnostics.push(diag);
  }
  return { methods, scores, diagnostics };
}

/** Mean of `values`. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Population standard deviation of `values` (numpy's default, ddof = 0). */
export function sd(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
}

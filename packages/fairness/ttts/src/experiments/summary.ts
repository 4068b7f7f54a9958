/**
 * Tables, metrics, plots and the claim rule shared by the FairTTTS experiments.
 */
import type { PlotSpec, ResultTable } from '@unbiased/core';
import { type CvResults, type FoldScores, mean, methodName, sd } from './cross-validation.js';

const METRICS: (keyof FoldScores)[] = ['accuracy', 'spd', 'di', 'eod', 'aod'];

/** Metric-name key of a method: base, ttts, fair_a2, ..., reject_option, threshold_optimizer. */
export function methodKey(method: string): string {
  if (method === 'TTTS') return 'ttts';
  const alpha = /^FairTTTS a=(.+)$/.exec(method);
  if (alpha) return `fair_a${alpha[1]}`;
  return method.replace(/-/g, '_');
}

/** Mean of one score of one method over folds. */
export function foldMean(results: CvResults, model: string, method: string, metric: keyof FoldScores): number {
  return mean((results.scores[model]?.[method] ?? []).map((s) => s[metric]));
}

const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));

/** Flat metrics (mean and sd per model, method and score) and the table (mean ± sd rows, then per-fold rows). */
export function summarise(results: CvResults): { metrics: Record<string, number>; table: ResultTable } {
  const metrics: Record<string, number> = {};
  const rows: (string | number)[][] = [];
  const perFold: (string | number)[][] = [];
  for (const [model, byMethod] of Object.entries(results.scores)) {
    for (const method of results.methods) {
      const folds = byMethod[method] ?? [];
      const cells: string[] = [];
      for (const metric of METRICS) {
        const values = folds.map((s) => s[metric]);
        const key = `${model.toLowerCase()}_${methodKey(method)}_${metric}`;
        metrics[`${key}_mean`] = mean(values);
        metrics[`${key}_sd`] = sd(values);
        cells.push(`${fmt(mean(values))} ± ${fmt(sd(values))}`);
      }
      rows.push([model, method, 'mean ± sd', ...cells]);
      folds.forEach((s, k) => {
        perFold.push([model, method, `fold ${k + 1}`, ...METRICS.map((m) => fmt(s[m]))]);
      });
    }
  }
  return { metrics, table: { columns: ['model', 'method', 'folds', 'accuracy', 'SPD', 'DI', 'EOD', 'AOD'], rows: [...rows, ...perFold] } };
}

/** The FairTTTS-vs-TTTS comparison of one model on fold means. */
export interface Comparison {
  spdCut: number;
  eodCut: number;
  accuracyDrop: number;
  monotone: boolean;
  diGain: number;
  /** Folds where |SPD| of FairTTTS is below |SPD| of TTTS (paired: same fold, same traversal seed). */
  foldsSpdDown: number;
  /** mean SPD of TTTS − mean SPD of the base model. */
  tttsVsBaseSpd: number;
}

/**
 * FairTTTS at `alpha` vs TTTS on fold means: relative cuts 1 − |mean SPD_α| / |mean SPD_TTTS| (same for EOD),
 * accuracy drop (TTTS − FairTTTS, in [0, 1]) and whether |mean SPD| is non-increasing along `alphas`.
 */
export function compare(results: CvResults, model: string, alpha: number, alphas: readonly number[]): Comparison {
  const ttts = methodName(1);
  const fair = methodName(alpha);
  const spd = (m: string): number => Math.abs(foldMean(results, model, m, 'spd'));
  const eod = (m: string): number => Math.abs(foldMean(results, model, m, 'eod'));
  let monotone = true;
  for (let k = 1; k < alphas.length; k++) {
    if (spd(methodName(alphas[k] as number)) > spd(methodName(alphas[k - 1] as number))) monotone = false;
  }
  return {
    spdCut: 1 - spd(fair) / spd(ttts),
    eodCut: 1 - eod(fair) / eod(ttts),
    accuracyDrop: foldMean(results, model, ttts, 'accuracy') - foldMean(results, model, fair, 'accuracy'),
    monotone,
    diGain: foldMean(results, model, fair, 'di') - foldMean(results, model, ttts, 'di'),
    foldsSpdDown: (results.scores[model]?.[fair] ?? []).filter((s, k) => Math.abs(s.spd) < Math.abs(results.scores[model]?.[ttts]?.[k]?.spd ?? Number.NaN)).length,
    tttsVsBaseSpd: foldMean(results, model, ttts, 'spd') - foldMean(results, model, 'base', 'spd'),
  };
}

/** Fairness–accuracy frontier: |SPD| (fold mean) vs accuracy, one series per model over α, one per baseline. */
export function frontierPlot(results: CvResults, alphas: readonly number[], id: string, title: string): PlotSpec {
  const series = [];
  for (const model of Object.keys(results.scores)) {
    series.push({
      name: `${model} FairTTTS over a=${alphas.join(',')}`,
      x: alphas.map((a) => Math.abs(foldMean(results, model, methodName(a), 'spd'))),
      y: alphas.map((a) => foldMean(results, model, methodName(a), 'accuracy')),
    });
    for (const baseline of ['base', 'reject-option', 'threshold-optimizer']) {
      series.push({ name: `${model} ${baseline}`, x: [Math.abs(foldMean(results, model, baseline, 'spd'))], y: [foldMean(results, model, baseline, 'accuracy')] });
    }
  }
  return { id, title, xLabel: '|SPD| (fold mean)', yLabel: 'accuracy (fold mean)', series };
}

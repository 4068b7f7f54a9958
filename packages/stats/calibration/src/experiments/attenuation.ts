import { type Experiment, type ExperimentContext, type ExperimentResult, type Rng, type Series, solveSpd } from '@unbiased/core';
import { compareDebiasers } from '../compare.js';
import { debiasedIptwAte } from '../debiased-ate.js';
import { iptwAte } from '../iptw.js';
import { fitLinearCalibration } from '../lcc.js';
import { ppiAte } from '../ppi-ate.js';
import { fitTweedie } from '../tweedie.js';

interface Sample {
  /** Confounder C. */
  c: Float64Array;
  /** Treatment T in {0, 1}. */
  t: Float64Array;
  /** Outcome Y. */
  y: Float64Array;
  /** Noisy proxy Z the predictor sees. */
  z: Float64Array;
  /** True propensity σ(C). */
  p: Float64Array;
}

/** C ~ N(0,1); T ~ Bern(σ(C)); Y = τT + C + N(0,1); Z = Y + N(0, 1.5²) (Pettersson, Jerzak & Daoud 2025, CPU experiment). */
function generate(rng: Rng, n: number, tau: number): Sample {
  const c = rng.fold('c').normal(n);
  const u = rng.fold('t').uniform(n);
  const e = rng.fold('y').normal(n);
  const v = rng.fold('z').normal(n, 0, 1.5);
  const t = new Float64Array(n);
  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ci = c[i] as number;
    p[i] = 1 / (1 + Math.exp(-ci));
    t[i] = (u[i] as number) < (p[i] as number) ? 1 : 0;
    y[i] = tau * (t[i] as number) + ci + (e[i] as number);
    z[i] = (y[i] as number) + (v[i] as number);
  }
  return { c, t, y, z, p };
}

/** Least-squares cubic of Y on Z (on standardised Z, for conditioning); returns the predictor. */
function fitCubic(z: Float64Array, y: Float64Array): (values: Float64Array) => Float64Array {
  const n = z.length;
  let mz = 0;
  for (const v of z) mz += v;
  mz /= n;
  let sz = 0;
  for (const v of z) sz += (v - mz) ** 2;
  sz = Math.sqrt(sz / n);
  const gram = new Float64Array(16);
  const rhs = new Float64Array(4);
  for (let i = 0; i < n; i++) {
    const x = ((z[i] as number) - mz) / sz;
    const basis = [1, x, x * x, x * x * x];
    for (let a = 0; a < 4; a++) {
      rhs[a] = (rhs[a] as number) + (basis[a] as number) * (y[i] as number);
      for (let b = 0; b < 4; b++) gram[a * 4 + b] = (gram[a * 4 + b] as number) + (basis[a] as number) * (basis[b] as number);
    }
  }
  const beta = solveSpd(gram, rhs, 4);
  return (values) =>
    values.map((value) => {
      const x = (value - mz) / sz;
      return (beta[0] as number) + x * ((beta[1] as number) + x * ((beta[2] as number) + x * (beta[3] as number)));
    });
}

/**
 * Grid nodes for the KDE score (`impl: 'grid'`). At 1024 nodes the score is within ~2e-5 of the exact one on
 * these data (σ̂² < 1, so corrected values move by < 2e-5, three orders below the effects' spread).
 */
const GRID_SIZE = 1024;

const METHODS = ['true', 'naive', 'lcc', 'tweedie', 'tweedie_target', 'ppi', 'ppi_tuned'] as const;
type Method = (typeof METHODS)[number];

const LABELS: Record<Method, string> = {
  true: 'true (IPTW on Y)',
  naive: 'naive (IPTW on Ŷ)',
  lcc: 'LCC',
  tweedie: 'Tweedie (calibration KDE)',
  tweedie_target: 'Tweedie (target KDE)',
  ppi: 'PPI (λ = 1, 200 labels)',
  ppi_tuned: 'PPI++ (tuned λ, 200 labels)',
};

function olsSlope(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += ((x[i] as number) - mx) ** 2;
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
  }
  return sxy / sxx;
}

/**
 * Our CPU experiment after Pettersson, Jerzak & Daoud 2025: attenuation of effects estimated on ML predictions and its correction. For each
 * τ in 11 values over [−2, 2] and each seed: a cubic least-squares predictor of Y from the proxy Z is trained on an
 * upstream set, LCC and Tweedie are fitted on a calibration split, and the IPTW ATE on a trial is estimated from Y
 * (truth), Ŷ (naive), LCC- and Tweedie-corrected Ŷ, and by PPI with a few labels. The slope of each estimate on τ
 * measures attenuation; the within-τ sd across seeds measures spread. Smoke: 5 seeds; full: 20 seeds (our reference setting),
 * plus Tweedie with the KDE fitted on the trial predictions (`kdeSource: 'target'`, the notebook's variant).
 */
export const attenuationExperiment: Experiment = {
  id: 'calibration-attenuation',
  title: 'Attenuation of treatment effects on ML predictions, and LCC / Tweedie / PPI corrections',
  packageName: '@unbiased/stats-calibration',
  paper: {
    title: 'Debiasing Machine Learning Predictions for Causal Inference Without Additional Ground Truth Data',
    year: 2025,
    url: 'https://arxiv.org/abs/2508.01341',
    claim:
      'Effects estimated on MSE-trained predictions are attenuated (slope on τ in [0.45, 0.7]); LCC and Tweedie restore slope ≈ 1 ([0.9, 1.1]) without new labels, while PPI, which needs fresh labels, is more than twice as variable as LCC',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const seeds = full ? 20 : 5;
    const taus = Array.from({ length: 11 }, (_, i) => -2 + 0.4 * i);
    const sizes = { upstream: 10_000, calibration: 2000, trial: 10_000, labels: 200 };
    const root = ctx.rng.fold('calibration-attenuation');
    const methods = METHODS.filter((m) => full || m !== 'tweedie_target');
    const estimates: Record<Method, number[][]> = Object.fromEntries(METHODS.map((m) => [m, taus.map(() => [] as number[])])) as Record<Method, number[][]>;
    const warningCounts: Record<string, number> = {};
    let comparison: ReturnType<typeof compareDebiasers> | null = null;
    let done = 0;
    for (let ti = 0; ti < taus.length; ti++) {
      const tau = taus[ti] as number;
      for (let seed = 0; seed < seeds; seed++) {
        if (ctx.signal?.aborted) break;
        const rng = root.fold(ti).fold(seed);
        const upstream = generate(rng.fold('upstream'), sizes.upstream, tau);
        const predict = fitCubic(upstream.z, upstream.y);
        const cal = generate(rng.fold('calibration'), sizes.calibration, tau);
        const trial = generate(rng.fold('trial'), sizes.trial, tau);
        const calPredictions = predict(cal.z);
        const predictions = predict(trial.z);
        const lcc = fitLinearCalibration(calPredictions, cal.y);
        const tweedie = fitTweedie(calPredictions, cal.y, { impl: 'grid', gridSize: GRID_SIZE });
        const common = { treatment: trial.t, propensity: trial.p };
        const lccAte = debiasedIptwAte({ ...common, predictions, debiaser: lcc });
        const tweedieAte = debiasedIptwAte({ ...common, predictions, debiaser: tweedie });
        // The target-KDE variant fits a KDE on all 10,000 trial predictions per trial: full scale only.
        const tweedieTargetAte = full
          ? debiasedIptwAte({ ...common, predictions, debiaser: fitTweedie(calPredictions, cal.y, { impl: 'grid', kdeSource: 'target', gridSize: GRID_SIZE }) })
          : null;
        for (const diagnostics of [lccAte.diagnostics, tweedieAte.diagnostics]) {
          for (const w of diagnostics?.warnings ?? []) warningCounts[`${diagnostics?.method}_${w}`] = (warningCounts[`${diagnostics?.method}_${w}`] ?? 0) + 1;
        }
        const order = rng.fold('labels').permutation(sizes.trial);
        const pick = (source: Float64Array, from: number, to: number) => Float64Array.from(order.subarray(from, to), (i) => source[i] as number);
        const labeled = { truth: pick(trial.y, 0, sizes.labels), predictions: pick(predictions, 0, sizes.labels), treatment: pick(trial.t, 0, sizes.labels), propensity: pick(trial.p, 0, sizes.labels) };
        const unlabeled = { predictions: pick(predictions, sizes.labels, sizes.trial), treatment: pick(trial.t, sizes.labels, sizes.trial), propensity: pick(trial.p, sizes.labels, sizes.trial) };
        const row: Partial<Record<Method, number>> = {
          true: iptwAte({ ...common, outcomes: trial.y }),
          naive: lccAte.naiveAte,
          lcc: lccAte.ate,
          tweedie: tweedieAte.ate,
          ppi: ppiAte({ labeled, unlabeled, lambda: 1 }).ate,
          ppi_tuned: ppiAte({ labeled, unlabeled, lambda: 'tuned' }).ate,
        };
        if (tweedieTargetAte) row.tweedie_target = tweedieTargetAte.ate;
        for (const m of methods) estimates[m][ti]!.push(row[m] as number);
        if (comparison === null && ti === taus.length - 1) comparison = compareDebiasers({ calPredictions, calTruth: cal.y, rng: rng.fold('compare') });
        done++;
        ctx.progress(done / (taus.length * seeds), `τ = ${tau.toFixed(1)}, seed ${seed}`);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    }

    const metrics: Record<string, number> = { seeds, taus: taus.length, calibration_size: sizes.calibration, trial_size: sizes.trial, ppi_labels: sizes.labels };
    const slope: Partial<Record<Method, number>> = {};
    const spread: Partial<Record<Method, number>> = {};
    const rows: (string | number)[][] = [];
    for (const m of methods) {
      const x: number[] = [];
      const y: number[] = [];
      let pooled = 0;
      let absError = 0;
      taus.forEach((tau, ti) => {
        const values = estimates[m][ti]!;
        const truths = estimates.true[ti]!;
        const mu = values.reduce((a, b) => a + b, 0) / values.length;
        pooled += values.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, values.length - 1);
        values.forEach((v, s) => {
          x.push(tau);
          y.push(v);
          absError += Math.abs(v - (truths[s] as number));
        });
      });
      slope[m] = olsSlope(x, y);
      spread[m] = Math.sqrt(pooled / taus.length);
      metrics[`slope_${m}`] = slope[m]!;
      metrics[`spread_${m}`] = spread[m]!;
      metrics[`mae_vs_true_${m}`] = absError / y.length;
      const atTwo = estimates[m][taus.length - 1]!;
      metrics[`mean_at_tau2_${m}`] = atTwo.reduce((a, b) => a + b, 0) / atTwo.length;
      rows.push([LABELS[m], slope[m]!, spread[m]!, metrics[`mae_vs_true_${m}`]!, metrics[`mean_at_tau2_${m}`]!]);
    }
    for (const [name, count] of Object.entries(warningCounts)) metrics[`warnings_${name}`] = count;
    if (comparison) {
      for (const row of comparison.metrics) {
        metrics[`compare_${row.method}_pseudo_ate_slope`] = row.calibrationSlope;
        if (row.score !== null) metrics[`compare_${row.method}_score`] = row.score;
      }
      metrics.compare_recommends_tweedie = comparison.recommended === 'tweedie' ? 1 : 0;
    }
    const inRange = (v: number | undefined, lo: number, hi: number) => v !== undefined && v >= lo && v <= hi;
    const naiveHolds = inRange(slope.naive, 0.45, 0.7);
    const lccHolds = inRange(slope.lcc, 0.9, 1.1);
    const tweedieHolds = inRange(slope.tweedie, 0.9, 1.1);
    const ppiHolds = (spread.ppi as number) > 2 * (spread.lcc as number);
    const complete = estimates.true.every((v) => v.length === seeds);
    const text =
      `${taus.length} τ values × ${seeds} seeds: naive slope ${slope.naive!.toFixed(3)} in [0.45, 0.7] (${naiveHolds ? 'yes' : 'no'}); ` +
      `LCC slope ${slope.lcc!.toFixed(3)} and Tweedie slope ${slope.tweedie!.toFixed(3)} in [0.9, 1.1] (${lccHolds && tweedieHolds ? 'yes' : 'no'}); ` +
      `PPI spread ${spread.ppi!.toFixed(3)} > 2 × LCC spread ${spread.lcc!.toFixed(3)} (${ppiHolds ? 'yes' : 'no'})`;
    const sdAtTwo = (m: Method) => {
      const values = estimates[m][taus.length - 1]!;
      const center = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - center) ** 2, 0) / Math.max(1, values.length - 1));
      return { mean: center, sd };
    };
    const meanSeries = (m: Method): Series => ({
      name: LABELS[m],
      x: taus,
      y: taus.map((_, ti) => estimates[m][ti]!.reduce((a, b) => a + b, 0) / estimates[m][ti]!.length),
    });
    return {
      metrics,
      claim: { text, holds: naiveHolds && lccHolds && tweedieHolds && ppiHolds && complete },
      table: { columns: ['estimator', 'slope on τ', 'spread (pooled within-τ sd)', 'MAE vs true IPTW ATE', 'mean estimate at τ = 2'], rows },
      plots: [
        {
          id: 'ate-vs-tau',
          title: 'Estimated ATE vs true τ',
          caption: `Mean over ${seeds} seeds per τ; the identity line (dashed) is an unattenuated estimator.`,
          xLabel: 'τ (true effect)',
          yLabel: 'estimated ATE',
          series: [...methods.map(meanSeries), { name: 'identity (slope 1)', x: [-2, 2], y: [-2, 2], role: 'baseline' }],
        },
        {
          id: 'spread-at-tau2',
          title: 'Estimate at τ = 2 per estimator, ± 1 sd across seeds',
          caption: `Error bars: mean ± sd over ${seeds} seeds at τ = 2; the claim needs PPI's spread above twice LCC's.`,
          kind: 'point',
          categories: methods.map((m) => LABELS[m]),
          xLabel: 'estimator',
          yLabel: 'estimated ATE at τ = 2',
          series: [
            {
              name: 'mean ± sd',
              x: methods.map((_, index) => index),
              y: methods.map((m) => sdAtTwo(m).mean),
              lower: methods.map((m) => sdAtTwo(m).mean - sdAtTwo(m).sd),
              upper: methods.map((m) => sdAtTwo(m).mean + sdAtTwo(m).sd),
            },
          ],
        },
      ],
    };
  },
};

import { type Experiment, type ExperimentContext, type ExperimentResult, inverseSqrtSchedule, type Series, scaleByLearningRate } from '@unbiased/core';
import { stoSignSGD } from '../stosignsgd.js';
import { signSgd, signum } from './baselines.js';
import { nonsmoothInitial, nonsmoothInvariant, nonsmoothStart, runNonsmooth } from './nonsmooth-problem.js';
import { STOSIGN_PAPER } from './paper.js';
import { fmt, median, stageProgress } from './training.js';

/**
 * Experiment E1 of this package: on the Karimireddy-style non-smooth convex counterexample (d = 100, eps = 0.1, explicit
 * subgradient with sgn(0) := +1, eta_t = 0.1 / sqrt(t), x0 ~ U[-1, 1]^d for seeds 0-9), SignSGD is stuck at
 * the invariant eps * sum |x_{2i-1} + x_{2i}| while StoSignSGD with beta1 = 0 keeps descending. Baselines: SGD,
 * Signum (0.9), StoSignSGD (0.9); momentum alone also escapes on this toy, so the claim is made at beta1 = 0.
 * `full`: T = 3000 steps (< 1 min on cpu); `smoke`: T = 2000 steps, the same ten seeds.
 */
export const nonsmoothExperiment: Experiment = {
  id: 'stosignsgd-nonsmooth',
  title: 'StoSignSGD escapes the SignSGD counterexample (non-smooth convex)',
  packageName: '@unbiased/optim-stosignsgd',
  paper: {
    ...STOSIGN_PAPER,
    claim:
      'At beta1 = 0 on the non-smooth counterexample, SignSGD stays at >= 0.8x the invariant eps*sum|x_{2i-1}+x_{2i}| while StoSignSGD ends at <= 0.1x SignSGD (medians over seeds)',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const d = 100;
    const seeds = 10;
    const steps = full ? 3000 : 2000;
    const rng = ctx.rng.fold('stosignsgd-nonsmooth');
    const x0 = nonsmoothStart(rng.fold('x0'), seeds, d);
    const lr = inverseSqrtSchedule({ init: 0.1 });
    const methods = [
      { key: 'signsgd', label: 'SignSGD', make: () => signSgd(lr) },
      { key: 'stosign_b0', label: 'StoSignSGD (beta1=0)', make: () => stoSignSGD({ learningRate: lr, beta1: 0, seed: rng.fold('dither-b0') }) },
      { key: 'sgd', label: 'SGD', make: () => scaleByLearningRate(lr) },
      { key: 'signum_b09', label: 'Signum (beta=0.9)', make: () => signum(lr, 0.9) },
      { key: 'stosign_b09', label: 'StoSignSGD (beta1=0.9)', make: () => stoSignSGD({ learningRate: lr, beta1: 0.9, seed: rng.fold('dither-b09') }) },
    ];
    const invariant = median(nonsmoothInvariant(x0, seeds, d));
    const initial = median(nonsmoothInitial(x0, seeds, d));
    const metrics: Record<string, number> = { steps, seeds, dimension: d, f_initial_median: initial, f_invariant_median: invariant };
    const curves: Series[] = [];
    const rows: (string | number)[][] = [];
    const finals: Record<string, number> = {};
    for (const [i, method] of methods.entries()) {
      const { finalPerSeed, curve } = await runNonsmooth(ctx, method.make(), x0, {
        seeds,
        d,
        steps,
        name: method.label,
        onStep: (t) => stageProgress(ctx, i, methods.length, t / steps, method.label),
      });
      const f = median(finalPerSeed);
      finals[method.key] = f;
      metrics[`f_final_median_${method.key}`] = f;
      metrics[`f_final_min_${method.key}`] = Math.min(...finalPerSeed);
      metrics[`f_final_max_${method.key}`] = Math.max(...finalPerSeed);
      curves.push(curve);
      rows.push([method.label, f, Math.min(...finalPerSeed), Math.max(...finalPerSeed), f / invariant]);
    }
    const signSgdF = finals.signsgd as number;
    const stoSignF = finals.stosign_b0 as number;
    metrics.ratio_signsgd_to_invariant = signSgdF / invariant;
    metrics.ratio_stosign_b0_to_signsgd = stoSignF / signSgdF;
    const holds = signSgdF >= 0.8 * invariant && stoSignF <= 0.1 * signSgdF;
    return {
      metrics,
      claim: {
        text:
          `At beta1 = 0 after ${steps} steps (median of ${seeds} seeds): SignSGD f = ${fmt(signSgdF)} = ${fmt(signSgdF / invariant)}x the invariant ` +
          `${fmt(invariant)} (needs >= 0.8x); StoSignSGD f = ${fmt(stoSignF)} = ${fmt(stoSignF / signSgdF)}x SignSGD (needs <= 0.1x)`,
        holds,
      },
      table: { columns: ['method', 'final f (median)', 'min over seeds', 'max over seeds', 'f / invariant'], rows },
      plots: [
        {
          id: 'loss',
          title: `Non-smooth counterexample (d=${d}, eps=0.1, eta_t=0.1/sqrt(t)): median f over ${seeds} seeds`,
          xLabel: 'step',
          yLabel: 'f(x)',
          logY: true,
          series: [
            ...curves.map((curve) => ({ ...curve, role: curve.name.startsWith('StoSignSGD') ? ('method' as const) : ('baseline' as const) })),
            { name: 'SignSGD invariant eps*sum|x_{2i-1}+x_{2i}|', x: [0, steps], y: [invariant, invariant], role: 'baseline' },
          ],
        },
      ],
    };
  },
};

import * as tf from '@tensorflow/tfjs-core';
import {
  type Experiment,
  type ExperimentContext,
  type ExperimentResult,
  type GradientTransformation,
  inverseSqrtSchedule,
  type Series,
  scaleByLearningRate,
} from '@unbiased/core';
import { stoSignSGD } from '../stosignsgd.js';
import { signSgd, signum } from './baselines.js';
import { STOSIGN_PAPER } from './paper.js';
import { checkpoints, fmt, mean, readNumbers, stageProgress, std, TransformRun } from './training.js';

/** The noise of E2: xi = 10 with probability 0.1, else 0 (mean 1, median 0). */
const XI_HIGH = 10;
const XI_PROBABILITY = 0.1;
const X0 = 5;

/**
 * Experiment E2 of this package: f(x) = E[(x - xi)^2] / 2 with xi = 10 w.p. 0.1, else 0. The stochastic gradient x - xi is
 * unbiased, so SGD (and any unbiased method) settles at the mean optimum x* = 1, but its sign has median
 * sign(x): SignSGD settles at the median 0. StoSignSGD's E[sign(g + S n)] = E[g] / S keeps the mean optimum.
 * Setup: x0 = 5, eta_t = 0.5 / sqrt(t), 10 seeds (all trained at once as a vector), the same xi sequence for
 * every method; reported: the mean of the last quarter of iterates, then mean +- sd over seeds.
 * `full`: T = 20000 (our setting); `smoke`: T = 5000.
 */
export const skewedNoiseExperiment: Experiment = {
  id: 'stosignsgd-skewed-noise',
  title: 'StoSignSGD converges to the mean optimum under skewed noise; SignSGD to the median',
  packageName: '@unbiased/optim-stosignsgd',
  paper: {
    ...STOSIGN_PAPER,
    claim: 'Under skewed gradient noise (optimum x* = 1, noise median 0), StoSignSGD (beta1=0) ends within 0.2 of 1 while SignSGD ends within 0.05 of 0',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const steps = full ? 20000 : 5000;
    const seeds = 10;
    const tailStart = steps - Math.floor(steps / 4) + 1;
    const rng = ctx.rng.fold('stosignsgd-skewed-noise');
    // xi[t][s] for every step and seed, drawn once on the host (seed s from its own fold) and shared by all methods.
    const xiHost = new Float32Array(steps * seeds);
    for (let s = 0; s < seeds; s++) {
      const u = rng.fold('xi').fold(s).uniform(steps);
      for (let t = 0; t < steps; t++) xiHost[t * seeds + s] = (u[t] as number) < XI_PROBABILITY ? XI_HIGH : 0;
    }
    const xi = tf.tensor2d(xiHost, [steps, seeds]);
    const lr = inverseSqrtSchedule({ init: 0.5 });
    const methods: { key: string; label: string; make: () => GradientTransformation }[] = [
      { key: 'sgd', label: 'SGD', make: () => scaleByLearningRate(lr) },
      { key: 'signsgd', label: 'SignSGD', make: () => signSgd(lr) },
      { key: 'signum_b09', label: 'Signum (beta=0.9)', make: () => signum(lr, 0.9) },
      { key: 'signum_b099', label: 'Signum (beta=0.99)', make: () => signum(lr, 0.99) },
      { key: 'stosign_b0', label: 'StoSignSGD (beta1=0)', make: () => stoSignSGD({ learningRate: lr, beta1: 0, seed: rng.fold('dither-b0') }) },
      { key: 'stosign_b09', label: 'StoSignSGD (beta1=0.9)', make: () => stoSignSGD({ learningRate: lr, beta1: 0.9, seed: rng.fold('dither-b09') }) },
    ];
    const metrics: Record<string, number> = { steps, seeds, x_star: 1 };
    const rows: (string | number)[][] = [];
    const curves: Series[] = [];
    const tails: Record<string, number> = {};
    const sample = checkpoints(steps, 100);
    try {
      for (const [i, method] of methods.entries()) {
        const run = new TransformRun(method.make(), { x: tf.fill([seeds], X0) });
        let tailSum = tf.zeros([seeds]);
        const curve: Series = { name: method.label, x: [0], y: [X0] };
        try {
          for (let t = 1; t <= steps; t++) {
            const g = tf.tidy(() => tf.sub(run.params.x as tf.Tensor, tf.reshape(tf.slice(xi, [t - 1, 0], [1, seeds]), [seeds])));
            run.step({ x: g });
            g.dispose();
            if (t >= tailStart) {
              const next = tf.add(tailSum, run.params.x as tf.Tensor);
              tailSum.dispose();
              tailSum = next;
            }
            if (sample.has(t)) {
              curve.x.push(t);
              curve.y.push(mean(await readNumbers(run.params.x as tf.Tensor)));
              stageProgress(ctx, i, methods.length, t / steps, method.label);
            }
            if (ctx.signal?.aborted) break;
          }
          const perSeed = (await readNumbers(tailSum)).map((v) => v / (steps - tailStart + 1));
          const m = mean(perSeed);
          tails[method.key] = m;
          metrics[`x_tail_mean_${method.key}`] = m;
          metrics[`x_tail_sd_${method.key}`] = std(perSeed);
          rows.push([method.label, m, std(perSeed), Math.abs(m - 1)]);
          curves.push(curve);
        } finally {
          tailSum.dispose();
          run.dispose();
        }
      }
    } finally {
      xi.dispose();
    }
    const stoSign = tails.stosign_b0 as number;
    const signSgdTail = tails.signsgd as number;
    const holds = Math.abs(stoSign - 1) < 0.2 && Math.abs(signSgdTail) < 0.05;
    return {
      metrics,
      claim: {
        text:
          `Mean of the last quarter of ${steps} iterates over ${seeds} seeds: StoSignSGD (beta1=0) x = ${fmt(stoSign)}, |x - 1| = ${fmt(Math.abs(stoSign - 1))} ` +
          `(needs < 0.2); SignSGD x = ${fmt(signSgdTail)} (needs |x| < 0.05)`,
        holds,
      },
      table: { columns: ['method', 'tail mean x (mean over seeds)', 'sd over seeds', '|x - x*|'], rows },
      plots: [
        {
          id: 'iterates',
          title: `Skewed noise (xi = 10 w.p. 0.1): iterate x, mean over ${seeds} seeds (x* = 1, noise median 0)`,
          xLabel: 'step',
          yLabel: 'x',
          series: [
            ...curves.map((curve) => ({ ...curve, role: curve.name.startsWith('StoSignSGD') ? ('method' as const) : ('baseline' as const) })),
            { name: 'mean optimum x* = 1', x: [0, steps], y: [1, 1], role: 'baseline' },
          ],
        },
      ],
    };
  },
};

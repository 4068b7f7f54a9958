import {
  addDecayedWeights,
  chain,
  type Experiment,
  type ExperimentContext,
  type ExperimentResult,
  type GradientTransformation,
  type Rng,
  type Series,
  type StateDtype,
  scaleByAdam,
  scaleByLearningRate,
} from '@unbiased/core';
import { stoSignSGD } from '../stosignsgd.js';
import { signum } from './baselines.js';
import { makeTeacherData, trainStudent } from './fp8-mlp.js';
import { STOSIGN_PAPER } from './paper.js';
import { fmt, mean, stageProgress } from './training.js';

const LEARNING_RATE = 3e-3;

interface Fp8Method {
  key: string;
  label: string;
  make(stateDtype: StateDtype, dither: Rng): GradientTransformation;
}

const METHODS: Fp8Method[] = [
  { key: 'adamw', label: 'AdamW', make: (stateDtype) => chain(scaleByAdam({ b1: 0.9, b2: 0.999, eps: 1e-8, stateDtype }), addDecayedWeights(0), scaleByLearningRate(LEARNING_RATE)) },
  { key: 'signum', label: 'Signum', make: (stateDtype) => signum(LEARNING_RATE, 0.9, stateDtype) },
  { key: 'stosign', label: 'StoSignSGD', make: (stateDtype, dither) => stoSignSGD({ learningRate: LEARNING_RATE, beta1: 0.9, seed: dither, stateDtype }) },
];

const STATES: { key: string; label: string; dtype: StateDtype }[] = [
  { key: 'fp32states', label: 'FP32 states', dtype: 'float32' },
  { key: 'fp8states', label: 'FP8 (e4m3) states', dtype: 'e4m3' },
];

/**
 * Experiment E3 of this package (a mechanism proxy, not the paper's GPT-2 FP8 runs): a teacher-student ReLU MLP 32-64-1 trained
 * with simulated FP8 e4m3 matmuls (see `fp8-mlp.ts`), by AdamW (0.9, 0.999, eps 1e-8, no weight decay), Signum (0.9)
 * and StoSignSGD (0.9), all at the constant learning rate 3e-3, with optimizer states in float32 or in e4m3
 * (per-tensor scaled, rounded after every update). AdamW's second moment g^2 needs twice the binades of g, so in
 * e4m3 small entries of v round to 0 while m does not, and m / (sqrt(v) + eps) explodes; the sign methods' steps
 * are bounded by the learning rate whatever the state. Final loss: full-data float32 MSE averaged over the
 * evaluations in the last 10% of the steps. `full`: 1500 steps, 2 seeds (our < 1 min variant);
 * `smoke`: 200 steps, 1 seed (the AdamW collapse with e4m3 states happens within the first steps).
 */
export const fp8StatesExperiment: Experiment = {
  id: 'stosignsgd-fp8',
  title: 'StoSignSGD with simulated FP8 (e4m3) matmuls and optimizer states',
  packageName: '@unbiased/optim-stosignsgd',
  paper: {
    ...STOSIGN_PAPER,
    claim: 'With FP8 (e4m3) matmuls and FP8 optimizer states, StoSignSGD stays finite and ends within 1.2x of its loss with FP32 states',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const steps = full ? 1500 : 200;
    const seeds = full ? 2 : 1;
    const rng = ctx.rng.fold('stosignsgd-fp8');
    const data = makeTeacherData(rng.fold('data'));
    const metrics: Record<string, number> = { steps, seeds, learning_rate: LEARNING_RATE };
    const rows: (string | number)[][] = [];
    const curves: Series[] = [];
    const results: Record<string, { finals: number[]; nonFinite: number; firstNonFinite: number }> = {};
    const total = METHODS.length * STATES.length * seeds;
    let stage = 0;
    try {
      for (const method of METHODS) {
        for (const states of STATES) {
          const finals: number[] = [];
          let nonFinite = 0;
          let firstNonFinite = 0;
          for (let seed = 0; seed < seeds; seed++) {
            const seedRng = rng.fold('seed').fold(seed);
            const name = `${method.label}, ${states.label}`;
            const run = await trainStudent(ctx, data, method.make(states.dtype, seedRng.fold(`dither-${method.key}`)), {
              initRng: seedRng.fold('init'),
              batchRng: seedRng.fold('batches'),
              steps,
              points: full ? 60 : 20,
              name: seeds > 1 ? `${name} (seed ${seed})` : name,
              onStep: (t) => stageProgress(ctx, stage, total, t / steps, name),
            });
            stage += 1;
            if (run.firstNonFiniteStep > 0) {
              nonFinite += 1;
              firstNonFinite = firstNonFinite === 0 ? run.firstNonFiniteStep : Math.min(firstNonFinite, run.firstNonFiniteStep);
            } else {
              finals.push(run.finalLoss);
            }
            if (seed === 0) {
              // Where the run diverged, so the report can mark "diverged at step N" at the end of the curve.
              const curve: Series = { ...run.curve, name, role: method.key === 'adamw' ? 'baseline' : 'method' };
              if (run.firstNonFiniteStep > 0) curve.divergedAt = run.firstNonFiniteStep;
              curves.push(curve);
            }
          }
          results[`${method.key}_${states.key}`] = { finals, nonFinite, firstNonFinite };
          const m = finals.length > 0 ? mean(finals) : Number.NaN;
          metrics[`final_loss_${method.key}_${states.key}`] = m;
          metrics[`nonfinite_seeds_${method.key}_${states.key}`] = nonFinite;
          metrics[`first_nonfinite_step_${method.key}_${states.key}`] = firstNonFinite;
          rows.push([
            method.label,
            states.label,
            finals.length > 0 ? m : 'n/a',
            finals.length > 0 ? Math.min(...finals) : 'n/a',
            finals.length > 0 ? Math.max(...finals) : 'n/a',
            `${nonFinite}/${seeds}`,
            firstNonFinite > 0 ? firstNonFinite : '-',
          ]);
        }
      }
    } finally {
      data.dispose();
    }
    const sto32 = results.stosign_fp32states as { finals: number[]; nonFinite: number };
    const sto8 = results.stosign_fp8states as { finals: number[]; nonFinite: number };
    const adam8 = results.adamw_fp8states as { finals: number[]; nonFinite: number; firstNonFinite: number };
    const ratio = mean(sto8.finals) / mean(sto32.finals);
    metrics.ratio_stosign_fp8_to_fp32_states = ratio;
    metrics.ratio_adamw_fp8_to_fp32_states = (metrics.final_loss_adamw_fp8states as number) / (metrics.final_loss_adamw_fp32states as number);
    const holds = sto8.nonFinite === 0 && sto32.nonFinite === 0 && Number.isFinite(ratio) && ratio <= 1.2;
    const adamText =
      adam8.nonFinite > 0
        ? `AdamW with FP8 states went non-finite in ${adam8.nonFinite}/${seeds} seeds (first at step ${adam8.firstNonFinite})`
        : `AdamW with FP8 states stayed finite (loss ${fmt(metrics.final_loss_adamw_fp8states as number)} vs ${fmt(metrics.final_loss_adamw_fp32states as number)} with FP32 states)`;
    return {
      metrics,
      claim: {
        text:
          `FP8 matmuls, ${steps} steps, ${seeds} seed(s): StoSignSGD with e4m3 states ${sto8.nonFinite === 0 ? 'stayed finite' : `went non-finite in ${sto8.nonFinite} seed(s)`}, ` +
          `final loss ${fmt(mean(sto8.finals))} = ${fmt(ratio)}x its FP32-state loss ${fmt(mean(sto32.finals))} (needs <= 1.2x). ${adamText}`,
        holds,
      },
      table: {
        columns: ['method', 'optimizer states', 'final loss (mean over finite seeds)', 'min', 'max', 'non-finite seeds', 'first non-finite step'],
        rows,
      },
      plots: [
        {
          id: 'loss',
          title: 'FP8 (e4m3) matmuls: full-data MSE of the teacher-student MLP',
          caption: `MLP 32-64-1, lr ${LEARNING_RATE}, seed 0; AdamW dashed. A curve that goes non-finite is marked where it diverged.`,
          xLabel: 'step',
          yLabel: 'MSE',
          logY: true,
          series: curves,
        },
      ],
    };
  },
};

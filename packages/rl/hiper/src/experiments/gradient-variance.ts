import type { Experiment, ExperimentContext, ExperimentResult, Rng } from '@unbiased/core';
import { TabularHierarchicalAgent } from '../agent/tabular-agent.js';
import { KeyDoorChain } from '../env/key-door-chain.js';
import { cosine, dot, mean, round, sd } from './summary.js';

/** One gradient-variance setting of the key-door chain. */
export interface VarianceSetting {
  name: string;
  gamma: number;
  horizon: number;
  budgetWindow: number;
  /** In the claim (stationary) or report-only (binding horizon). */
  inClaim: boolean;
}

/** The numbers one (setting, seed) gives. */
export interface VarianceMeasurement {
  relVarHAE: number;
  relVarFlat: number;
  cosHAE: number;
  cosFlat: number;
  cosMeanHAE: number;
  cosMeanFlat: number;
  successRate: number;
}

/** Sample sizes of one gradient-variance measurement. */
export interface VarianceScale {
  fitIterations: number;
  fitEpisodes: number;
  batches: number;
  batchEpisodes: number;
  referenceBatches: number;
}

const STAGES = 4;
const LEVELS = 4;
const ACTIONS = 4;

function gradientVector(grads: { executor: Float64Array; planner: Float64Array }): Float64Array {
  const out = new Float64Array(grads.executor.length + grads.planner.length);
  out.set(grads.executor, 0);
  out.set(grads.planner, grads.executor.length);
  return out;
}

/**
 * Measures the per-batch variance and the bias of the executor+planner policy gradient at a fixed policy
 * (executor logits N(0, 0.3) + 1 on the correct action, planner +1 on the current stage, KEEP +0.5), HAE
 * vs flat turn GAE (lambda = 1), after fitting the critics on `fitIterations x fitEpisodes` episodes. The
 * reference gradient is the mean flat gradient over `referenceBatches` independent batches (unbiased: a
 * Monte-Carlo return minus a state baseline).
 */
export function measureGradientVariance(setting: VarianceSetting, scale: VarianceScale, rng: Rng, envSeed: number): VarianceMeasurement {
  const env = new KeyDoorChain({ stages: STAGES, stepsPerStage: LEVELS, actions: ACTIONS, horizon: setting.horizon, seed: envSeed });
  const agent = new TabularHierarchicalAgent({ stages: STAGES, progressLevels: LEVELS, actions: ACTIONS, budgetWindow: setting.budgetWindow });
  const noise = rng.fold('executor-init').normal(agent.executorLogits.length, 0, 0.3);
  for (let p = 0; p < LEVELS; p++) {
    for (let g = 0; g < STAGES; g++) {
      for (let a = 0; a < ACTIONS; a++) {
        const i = (p * STAGES + g) * ACTIONS + a;
        agent.executorLogits[i] = (noise[i] as number) + (a === env.correctAction(g, p) ? 1 : 0);
      }
    }
  }
  for (let k = 0; k < STAGES; k++) agent.plannerLogits[k * STAGES + k] = 1;
  for (let k = 0; k < STAGES; k++) for (let g = 0; g <= STAGES; g++) agent.switchLogits[(k * (STAGES + 1) + g) * 2] = 0.5;

  const fitRng = rng.fold('fit');
  for (let it = 0; it < scale.fitIterations; it++) {
    const batch = agent.rollout(env, scale.fitEpisodes, fitRng.fold(it));
    agent.fitCritics(batch, agent.estimate(batch, { gamma: setting.gamma, normAdv: false }), 0.5);
  }

  const measureRng = rng.fold('measure');
  const hae: Float64Array[] = [];
  const flat: Float64Array[] = [];
  let successes = 0;
  let episodes = 0;
  for (let b = 0; b < scale.batches; b++) {
    const batch = agent.rollout(env, scale.batchEpisodes, measureRng.fold(b));
    const estimate = agent.estimate(batch, { gamma: setting.gamma, normAdv: false });
    hae.push(gradientVector(agent.gradients(batch, estimate.hae)));
    flat.push(gradientVector(agent.gradients(batch, estimate.flat)));
    for (let e = 0; e < batch.episodes; e++) successes += batch.episodeSuccess[e] as number;
    episodes += batch.episodes;
  }
  const referenceRng = rng.fold('reference');
  const reference = new Float64Array(hae[0]?.length ?? 0);
  for (let b = 0; b < scale.referenceBatches; b++) {
    const batch = agent.rollout(env, scale.batchEpisodes, referenceRng.fold(b));
    const g = gradientVector(agent.gradients(batch, agent.estimate(batch, { gamma: setting.gamma, normAdv: false }).flat));
    for (let i = 0; i < reference.length; i++) reference[i] = (reference[i] as number) + (g[i] as number) / scale.referenceBatches;
  }
  const referenceNorm = dot(reference, reference);
  const summarise = (grads: Float64Array[]) => {
    const average = new Float64Array(reference.length);
    for (const g of grads) for (let i = 0; i < g.length; i++) average[i] = (average[i] as number) + (g[i] as number) / grads.length;
    let spread = 0;
    for (const g of grads) for (let i = 0; i < g.length; i++) spread += ((g[i] as number) - (average[i] as number)) ** 2;
    return { relVar: spread / grads.length / referenceNorm, cos: mean(grads.map((g) => cosine(g, reference))), cosMean: cosine(average, reference) };
  };
  const h = summarise(hae);
  const f = summarise(flat);
  return {
    relVarHAE: h.relVar,
    relVarFlat: f.relVar,
    cosHAE: h.cos,
    cosFlat: f.cos,
    cosMeanHAE: h.cosMean,
    cosMeanFlat: f.cosMean,
    successRate: successes / episodes,
  };
}

/** The three settings: the stationary one the claim is judged on, and the binding horizon with and without the budget. */
export const VARIANCE_SETTINGS: readonly VarianceSetting[] = [
  { name: 'stationary (gamma 0.97, H 300)', gamma: 0.97, horizon: 300, budgetWindow: 32, inClaim: true },
  { name: 'binding (gamma 1, H 48), critic sees budget', gamma: 1, horizon: 48, budgetWindow: 48, inClaim: false },
  { name: 'binding (gamma 1, H 48), time-blind critic', gamma: 1, horizon: 48, budgetWindow: 0, inClaim: false },
];

/**
 * H1 of HiPER's variance claim on the key-door chain (M = L = A = 4): at a fixed policy, the HAE policy
 * gradient has a lower per-batch variance than flat turn GAE and stays unbiased, in the stationary setting
 * (gamma 0.97, non-binding budget H = 300). Full scale: critics fitted on 300 x 32 episodes, 100 batches of
 * 16 episodes, reference from 400 flat batches, seeds ctx.seed .. ctx.seed + 2; smoke: 1 seed, 60 x 32,
 * 30 batches, 60 reference batches. The binding-horizon settings (gamma 1, H 48) are report-only.
 */
export const gradientVarianceExperiment: Experiment = {
  id: 'hiper-gradient-variance',
  title: 'HiPER HAE vs flat turn GAE: policy-gradient variance and bias at a fixed policy (key-door chain)',
  packageName: '@unbiased/rl-hiper',
  paper: {
    title: 'HiPER: Hierarchical Plan-Execute Reinforcement Learning for LLM Agents (hierarchical advantage estimation)',
    year: 2026,
    url: 'https://arxiv.org/abs/2602.16165',
    claim: 'Hierarchical advantage estimation gives an unbiased policy gradient with lower variance than flat GAE',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const full = ctx.scale === 'full';
    const scale: VarianceScale = full
      ? { fitIterations: 300, fitEpisodes: 32, batches: 100, batchEpisodes: 16, referenceBatches: 400 }
      : { fitIterations: 60, fitEpisodes: 32, batches: 30, batchEpisodes: 16, referenceBatches: 60 };
    const seeds = full ? [0, 1, 2].map((i) => ctx.seed + i) : [ctx.seed];
    const metrics: Record<string, number> = { seeds: seeds.length };
    const rows: (string | number)[][] = [];
    let holds = true;
    const bars: Record<'hae' | 'flat', number[]> = { hae: [], flat: [] };
    for (const [s, setting] of VARIANCE_SETTINGS.entries()) {
      const results: VarianceMeasurement[] = [];
      for (const [j, seed] of seeds.entries()) {
        if (ctx.signal?.aborted) break;
        const m = measureGradientVariance(setting, scale, ctx.rng.fold('hiper-gradient-variance').fold(seed), seed);
        results.push(m);
        const tag = `s${s}_seed${seed}`;
        for (const [key, value] of Object.entries(m)) metrics[`${key}_${tag}`] = value;
        rows.push([
          setting.name,
          seed,
          round(m.relVarHAE),
          round(m.relVarFlat),
          round(m.cosHAE),
          round(m.cosFlat),
          round(m.cosMeanHAE),
          round(m.successRate, 3),
          setting.inClaim ? 'claim' : 'report-only',
        ]);
        if (setting.inClaim && !(m.relVarHAE < 0.5 * m.relVarFlat && m.cosHAE > m.cosFlat && m.cosMeanHAE > 0.95)) holds = false;
        ctx.progress((s * seeds.length + j + 1) / (VARIANCE_SETTINGS.length * seeds.length), `${setting.name}, seed ${seed}`);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      for (const key of ['relVarHAE', 'relVarFlat', 'cosHAE', 'cosFlat', 'cosMeanHAE', 'successRate'] as const) {
        const values = results.map((r) => r[key]);
        metrics[`${key}_s${s}_mean`] = mean(values);
        metrics[`${key}_s${s}_sd`] = sd(values);
      }
      bars.hae.push(mean(results.map((r) => r.relVarHAE)));
      bars.flat.push(mean(results.map((r) => r.relVarFlat)));
    }
    const x = VARIANCE_SETTINGS.map((_, i) => i + 1);
    return {
      metrics,
      claim: {
        holds,
        text:
          `In the stationary setting (gamma 0.97, H 300, critics see the budget), on every seed: relVar(HAE) < 0.5 relVar(flat), mean per-batch cosine to the reference HAE > flat, and cos(mean HAE gradient, reference) > 0.95. ` +
          `Report-only: with a binding budget (gamma 1, H 48) HAE still has the lower variance, but its bootstrap into V_H is biased when the critic cannot see the remaining steps (time-blind row: lower cos(mean, ref)); giving the critic the budget removes most of that bias.`,
      },
      table: {
        columns: ['setting', 'seed', 'relVar HAE', 'relVar flat', 'cos HAE', 'cos flat', 'cos(mean HAE, ref)', 'success', 'role'],
        rows,
      },
      plots: [
        {
          id: 'hiper-gradient-variance-bars',
          title: 'relVar E|g_b - g_mean|^2 / |g_ref|^2 by setting (1 stationary, 2 binding + budget, 3 binding time-blind), mean over seeds',
          xLabel: 'setting',
          yLabel: 'relative variance',
          series: [
            { name: 'HAE', x, y: bars.hae },
            { name: 'flat turn GAE (lambda 1)', x, y: bars.flat },
          ],
        },
      ],
    };
  },
};

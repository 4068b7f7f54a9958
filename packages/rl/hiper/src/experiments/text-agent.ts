import type { Experiment, ExperimentContext, ExperimentResult, PlotSpec } from '@unbiased/core';
import { type TextAgentConfig, trainTextAgent } from '../text/text-agent.js';
import { bandSeries, iterationsTo, mean, median, round, sd } from './summary.js';

/** The success-rate target of the claim, fixed before any run: 0.5, read off a trailing 3-iteration average. */
export const TEXT_AGENT_TARGET = 0.5;
const SMOOTHING = 3;

/** Full-scale configuration of `hiper-text-agent` (5 seeds x 30 iterations x 16 episodes per method). */
export const TEXT_AGENT_FULL: Required<Pick<TextAgentConfig, 'iterations' | 'episodes'>> & { seeds: number } = { seeds: 5, iterations: 30, episodes: 16 };
/**
 * REPORT-ONLY sensitivity (full scale only; never part of the claim): both methods rerun with this many
 * critic-only iterations first (verl's `trainer.critic_warmup`), identically, to test the explanation that
 * HAE's deficit here comes from bootstrapping its executor into critics that start at zero.
 */
export const TEXT_AGENT_SENSITIVITY_WARMUP = 5;
/** Smoke configuration (CI, seconds): 1 seed x 3 iterations x 8 episodes. */
export const TEXT_AGENT_SMOKE: Required<Pick<TextAgentConfig, 'iterations' | 'episodes'>> & { seeds: number } = { seeds: 1, iterations: 3, episodes: 8 };

/**
 * HiPER's claim on a text agent (Peng et al. 2026, section 5, ALFWorld/WebShop learning curves, made small): a
 * token-level plan-execute agent trained by PPO with hierarchical advantages (HAE) reaches a success rate of
 * 0.5 (trailing 3-iteration average) in fewer iterations than the same agent with flat turn-level GAE, on the
 * median over seeds ctx.seed .. ctx.seed + 4 (full; smoke: one seed, 3 iterations). Seeds are paired: both
 * methods see the same initial weights and the same sampling streams. A seed that never reaches the target
 * counts as iterations + 1.
 */
export const textAgentExperiment: Experiment = {
  id: 'hiper-text-agent',
  title: 'HiPER HAE vs flat turn GAE: a token-level text agent (fetch the key, open the door)',
  packageName: '@unbiased/rl-hiper',
  paper: {
    title: 'HiPER: Hierarchical Plan-Execute Reinforcement Learning for LLM Agents (hierarchical advantage estimation)',
    year: 2026,
    url: 'https://arxiv.org/abs/2602.16165',
    claim: 'Hierarchical advantage estimation trains a plan-execute text agent to a target success rate in fewer iterations than flat GAE',
  },
  async run(ctx: ExperimentContext): Promise<ExperimentResult> {
    const scale = ctx.scale === 'full' ? TEXT_AGENT_FULL : TEXT_AGENT_SMOKE;
    const seeds = Array.from({ length: scale.seeds }, (_, i) => ctx.seed + i);
    const root = ctx.rng.fold('hiper-text-agent');
    const methods = [
      { key: 'hae', label: 'HAE', method: 'hae' as const },
      { key: 'flat', label: 'flat turn GAE', method: 'flat' as const },
    ];
    const metrics: Record<string, number> = { seeds: seeds.length, iterations: scale.iterations, episodes: scale.episodes, target: TEXT_AGENT_TARGET };
    const curves: Record<string, number[][]> = { hae: [], flat: [] };
    const reach: Record<string, number[]> = { hae: [], flat: [] };
    const rows: (string | number)[][] = [];
    let done = 0;
    // Full scale also runs the report-only critic warm-up rows (a second pass over methods x seeds).
    const runs = methods.length * seeds.length * (ctx.scale === 'full' ? 2 : 1);
    for (const arm of methods) {
      for (const seed of seeds) {
        if (ctx.signal?.aborted) break;
        const curve = await trainTextAgent(arm.method, root.fold(seed), seed, { iterations: scale.iterations, episodes: scale.episodes });
        curves[arm.key]?.push(curve.success);
        const at = iterationsTo(curve.success, TEXT_AGENT_TARGET, SMOOTHING);
        reach[arm.key]?.push(at);
        metrics[`iterations_to_target_${arm.key}_seed${seed}`] = at;
        metrics[`final_success_${arm.key}_seed${seed}`] = mean(curve.success.slice(-SMOOTHING));
        metrics[`auc_${arm.key}_seed${seed}`] = mean(curve.success);
        metrics[`invalid_rate_last_${arm.key}_seed${seed}`] = curve.invalid[curve.invalid.length - 1] as number;
        metrics[`switch_rate_last_${arm.key}_seed${seed}`] = curve.switchRate[curve.switchRate.length - 1] as number;
        ctx.progress(++done / runs, `${arm.label}, seed ${seed}`);
      }
      const r = reach[arm.key] as number[];
      const finals = seeds.map((s) => metrics[`final_success_${arm.key}_seed${s}`] as number);
      const aucs = seeds.map((s) => metrics[`auc_${arm.key}_seed${s}`] as number);
      metrics[`iterations_to_target_${arm.key}_median`] = median(r);
      metrics[`final_success_${arm.key}_mean`] = mean(finals);
      metrics[`final_success_${arm.key}_sd`] = sd(finals);
      metrics[`auc_${arm.key}_mean`] = mean(aucs);
      metrics[`auc_${arm.key}_sd`] = sd(aucs);
      metrics[`switch_rate_last_${arm.key}_mean`] = mean(seeds.map((s) => metrics[`switch_rate_last_${arm.key}_seed${s}`] as number));
      rows.push([
        arm.label,
        r.join(' '),
        median(r),
        finals.map((f) => round(f, 3)).join(' '),
        `${round(mean(finals), 3)} ± ${round(sd(finals), 3)}`,
        `${round(mean(aucs), 3)} ± ${round(sd(aucs), 3)}`,
      ]);
    }
    const medianHAE = metrics.iterations_to_target_hae_median as number;
    const medianFlat = metrics.iterations_to_target_flat_median as number;
    const never = scale.iterations + 1;
    const holds = medianHAE < medianFlat && medianHAE < never;
    metrics.paired_seeds_hae_faster = seeds.filter((_, i) => (reach.hae?.[i] as number) < (reach.flat?.[i] as number)).length;
    // REPORT-ONLY sensitivity (full scale): the same seeds, both methods with a critic warm-up. Not the claim.
    const warmup = ctx.scale === 'full' ? TEXT_AGENT_SENSITIVITY_WARMUP : 0;
    const warmReach: Record<string, number[]> = { hae: [], flat: [] };
    if (warmup > 0) {
      const prefix = `report_only_warmup${warmup}`;
      metrics[`${prefix}_iterations`] = warmup;
      for (const arm of methods) {
        for (const seed of seeds) {
          if (ctx.signal?.aborted) break;
          const curve = await trainTextAgent(arm.method, root.fold(seed), seed, { iterations: scale.iterations, episodes: scale.episodes, criticWarmup: warmup });
          const at = iterationsTo(curve.success, TEXT_AGENT_TARGET, SMOOTHING);
          warmReach[arm.key]?.push(at);
          metrics[`${prefix}_iterations_to_target_${arm.key}_seed${seed}`] = at;
          metrics[`${prefix}_final_success_${arm.key}_seed${seed}`] = mean(curve.success.slice(-SMOOTHING));
          ctx.progress(++done / runs, `report-only: ${arm.label} with ${warmup} critic warm-up iterations, seed ${seed}`);
        }
        const r = warmReach[arm.key] as number[];
        const finals = seeds.map((s) => metrics[`${prefix}_final_success_${arm.key}_seed${s}`] as number);
        metrics[`${prefix}_iterations_to_target_${arm.key}_median`] = median(r);
        rows.push([
          `REPORT-ONLY (not the claim): ${arm.label}, ${warmup} critic warm-up iterations`,
          r.join(' '),
          median(r),
          finals.map((f) => round(f, 3)).join(' '),
          `${round(mean(finals), 3)} ± ${round(sd(finals), 3)}`,
          '',
        ]);
      }
    }
    const switchHAE = round(metrics.switch_rate_last_hae_mean as number, 2);
    const switchFlat = round(metrics.switch_rate_last_flat_mean as number, 2);
    const warmHAE = warmup > 0 ? median(warmReach.hae as number[]) : Number.NaN;
    const warmFlat = warmup > 0 ? median(warmReach.flat as number[]) : Number.NaN;
    const explanation = holds
      ? ''
      : ' Explanation (our diagnosis): an audit found no defect in the HAE arithmetic, the token assignment, the critic read positions or the normalisation ' +
        '(both methods standardise: HAE per stream, flat GAE over the batch). In this task the switch and subgoal tokens change nothing in the environment, only the shaping penalties, which charge KEEP turns, ' +
        `so both methods learn to write SWITCH on almost every later turn (switch rate at the last iteration: HAE ${switchHAE}, flat ${switchFlat}). ` +
        "With every turn a boundary, HAE's executor advantage is the one-step TD error r_t + gamma V_H(s_t+1) - V_L(s_t, g_t): the steps before the last get credit only through the learned critic, " +
        'which starts at 0, while flat GAE with lambda = 1 gives every step its Monte-Carlo return at once; on a task of 2-3 deterministic steps that return has little variance for bootstrapping to remove ' +
        '(the short-horizon counter-evidence of the tabular key-door chain).' +
        (warmup > 0
          ? ` REPORT-ONLY sensitivity, not part of the claim: with ${warmup} critic-only warm-up iterations for both methods, HAE ${warmReach.hae?.join(' ')} (median ${warmHAE}) vs flat ${warmReach.flat?.join(' ')} (median ${warmFlat}); ` +
            (warmHAE < warmFlat
              ? "HAE is ahead once the critic is warm, consistent with the critics' zero start causing most of the gap."
              : "a warm critic at the start does not remove the gap, so the zero start alone does not explain it; our best explanation is the bias of bootstrapping every step from an approximate, still-learning critic where the Monte-Carlo return is already nearly noise-free.")
          : '');
    const plots: PlotSpec[] = [
      {
        id: 'hiper-text-agent-success',
        title: `Success rate per iteration, text key-door task (mean ± sd over ${seeds.length} seed${seeds.length > 1 ? 's' : ''})`,
        kind: 'band',
        xLabel: `iteration (${scale.episodes} episodes)`,
        yLabel: 'success rate',
        series: [...bandSeries('HAE', curves.hae ?? []), ...bandSeries('flat turn GAE', curves.flat ?? [], 'baseline')],
      },
    ];
    return {
      metrics,
      claim: {
        holds,
        text:
          `Target fixed in advance: a success rate of ${TEXT_AGENT_TARGET} (trailing ${SMOOTHING}-iteration average; ${never} = never within ${scale.iterations} iterations). ` +
          `Rule: HAE's median iterations to the target over seeds ${seeds[0]}..${seeds[seeds.length - 1]} is smaller than flat turn GAE's. ` +
          `Measured: HAE ${reach.hae?.join(' ')} (median ${medianHAE}) vs flat ${reach.flat?.join(' ')} (median ${medianFlat}); HAE faster on ${metrics.paired_seeds_hae_faster}/${seeds.length} paired seeds. ` +
          (holds ? 'The claim holds.' : 'The claim does not hold in this run.') +
          explanation,
      },
      table: {
        columns: ['method', `iterations to success ${TEXT_AGENT_TARGET} (per seed)`, 'median', `final success, last ${SMOOTHING} iterations (per seed)`, 'final mean ± sd', 'mean success over iterations ± sd'],
        rows,
      },
      plots,
    };
  },
};

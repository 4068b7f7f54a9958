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
/**
 * REPORT-ONLY sensitivities of the full-scale run, each applied identically to both methods and never part of
 * the claim: a critic warm-up, and the same task without HiPER's keep / consistency penalties (which charge
 * KEEP turns and so push the agent to SWITCH on every turn, making every segment one turn long).
 */
export const TEXT_AGENT_SENSITIVITIES: readonly { key: string; label: string; config: TextAgentConfig }[] = [
  { key: `warmup${TEXT_AGENT_SENSITIVITY_WARMUP}`, label: `${TEXT_AGENT_SENSITIVITY_WARMUP} critic warm-up iterations`, config: { criticWarmup: TEXT_AGENT_SENSITIVITY_WARMUP } },
  { key: 'no_keep_penalty', label: 'no keep / consistency penalties', config: { batch: { shaping: { keepPenalty: 0, consistencyPenalty: 0 } } } },
];
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
    // Full scale also runs the report-only sensitivity rows (one more pass over methods x seeds each).
    const runs = methods.length * seeds.length * (ctx.scale === 'full' ? 1 + TEXT_AGENT_SENSITIVITIES.length : 1);
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
    // REPORT-ONLY sensitivities (full scale): the same seeds, both methods changed identically. Not the claim.
    const sensitivities = ctx.scale === 'full' ? TEXT_AGENT_SENSITIVITIES : [];
    const sensitivityReach: Record<string, Record<string, number[]>> = {};
    const sensitivitySwitch: Record<string, Record<string, number>> = {};
    for (const sensitivity of sensitivities) {
      const prefix = `report_only_${sensitivity.key}`;
      const reachOf: Record<string, number[]> = { hae: [], flat: [] };
      sensitivityReach[sensitivity.key] = reachOf;
      sensitivitySwitch[sensitivity.key] = {};
      for (const arm of methods) {
        for (const seed of seeds) {
          if (ctx.signal?.aborted) break;
          const curve = await trainTextAgent(arm.method, root.fold(seed), seed, { iterations: scale.iterations, episodes: scale.episodes, ...sensitivity.config });
          const at = iterationsTo(curve.success, TEXT_AGENT_TARGET, SMOOTHING);
          reachOf[arm.key]?.push(at);
          metrics[`${prefix}_iterations_to_target_${arm.key}_seed${seed}`] = at;
          metrics[`${prefix}_final_success_${arm.key}_seed${seed}`] = mean(curve.success.slice(-SMOOTHING));
          metrics[`${prefix}_switch_rate_last_${arm.key}_seed${seed}`] = curve.switchRate[curve.switchRate.length - 1] as number;
          ctx.progress(++done / runs, `report-only (${sensitivity.label}): ${arm.label}, seed ${seed}`);
        }
        const r = reachOf[arm.key] as number[];
        const finals = seeds.map((s) => metrics[`${prefix}_final_success_${arm.key}_seed${s}`] as number);
        metrics[`${prefix}_iterations_to_target_${arm.key}_median`] = median(r);
        const switchRate = mean(seeds.map((s) => metrics[`${prefix}_switch_rate_last_${arm.key}_seed${s}`] as number));
        metrics[`${prefix}_switch_rate_last_${arm.key}_mean`] = switchRate;
        (sensitivitySwitch[sensitivity.key] as Record<string, number>)[arm.key] = switchRate;
        rows.push([
          `REPORT-ONLY (not the claim): ${arm.label}, ${sensitivity.label}`,
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
    const sensitivityText = (key: string, label: string): string => {
      const r = sensitivityReach[key] as Record<string, number[]>;
      const sw = sensitivitySwitch[key] as Record<string, number>;
      return `${label} for both methods: HAE ${r.hae?.join(' ')} (median ${median(r.hae as number[])}) vs flat ${r.flat?.join(' ')} (median ${median(r.flat as number[])}), switch rate at the last iteration HAE ${round(sw.hae as number, 2)}, flat ${round(sw.flat as number, 2)}`;
    };
    const warmKey = `warmup${TEXT_AGENT_SENSITIVITY_WARMUP}`;
    const warmed = sensitivityReach[warmKey];
    const unshaped = sensitivityReach.no_keep_penalty;
    const reachedOf = (r: number[]) => r.filter((at) => at < never).length;
    let sensitivityConclusion = '';
    if (warmed && unshaped) {
      const warmCloses = median(warmed.hae as number[]) < median(warmed.flat as number[]);
      const unshapedCloses = median(unshaped.hae as number[]) <= median(unshaped.flat as number[]);
      sensitivityConclusion =
        (warmCloses ? "The warm-up puts HAE ahead, consistent with the critics' zero start causing much of the gap. " : 'The warm-up does not remove the gap, so the critics\' zero start alone does not explain it. ') +
        (unshapedCloses
          ? `Without the penalties the agent switches far less, so segments span several turns and HAE's executor advantage is GAE(lambda = 1) within them, and HAE is no slower than flat GAE (target reached on ${reachedOf(unshaped.hae as number[])}/${seeds.length} seeds vs ${reachedOf(unshaped.flat as number[])}/${seeds.length} for flat): our best explanation is the collapse of segments to single turns under the keep penalty, which turns HAE's executor credit into one-step bootstrapping from an approximate, still-learning critic.`
          : 'Without the penalties HAE is still slower, so the collapse of segments to single turns does not explain the gap either; we have no confirmed explanation.');
    }
    const explanation = holds
      ? ''
      : ' Explanation (our diagnosis): an audit found no defect in the HAE arithmetic, the token assignment, the critic read positions or the normalisation ' +
        '(both methods standardise: HAE per stream, flat GAE over the batch). In this task the switch and subgoal tokens change nothing in the environment, only the shaping penalties, which charge KEEP turns, ' +
        `so both methods learn to write SWITCH on almost every later turn (switch rate at the last iteration: HAE ${switchHAE}, flat ${switchFlat}). ` +
        "With every turn a boundary, HAE's executor advantage is the one-step TD error r_t + gamma V_H(s_t+1) - V_L(s_t, g_t): the steps before the last get credit only through the learned critic, " +
        'which starts at 0, while flat GAE with lambda = 1 gives every step its Monte-Carlo return at once; on a task of 2-3 deterministic steps that return has little variance for bootstrapping to remove ' +
        '(the short-horizon counter-evidence of the tabular key-door chain).' +
        (warmed && unshaped
          ? ` REPORT-ONLY sensitivities, not part of the claim: (a) ${sensitivityText(warmKey, `${TEXT_AGENT_SENSITIVITY_WARMUP} critic-only warm-up iterations`)}; (b) ${sensitivityText('no_keep_penalty', 'no keep / consistency penalties')}. ${sensitivityConclusion}`
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

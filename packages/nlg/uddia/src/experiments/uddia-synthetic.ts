/**
 * Experiment `uddia-synthetic`: UDDIA (Yang et al. 2023, "Unified Detoxifying and Debiasing in Language
 * Generation via Inference-time Adaptive Optimization", ICLR) on the shipped toy LM, whose toxicity and
 * occupation-gender association are planted by construction, so both are measured exactly.
 */
import type { Experiment, ExperimentContext, ExperimentResult, PlotSpec, ResultTable, Rng } from '@unbiased/core';
import { genderPromptPairs, triggerPrompts } from '../corpus/grammar.js';
import { occupationAssociation, type Toy } from '../toy/toy.js';
import { type GenerateOptions, uddiaGenerate } from '../uddia/generate.js';

/** Relative thresholds of the claim (fixed before any run; never tuned). */
const TOXIC_CUT = 0.5;
const PPL_RISE = 0.25;
const GAP_SHRINK = 0.1;

interface Scale {
  prompts: number;
  pairs: number;
  samples: number;
  tokens: number;
  /** Trigger prompts of the T and learning-rate sweeps (plots only; the claim uses all prompts). */
  sweepPrompts: number;
  /** Tokens per gender-prompt continuation (the occupation follows the prompt directly). */
  genderTokens: number;
  seeds: number;
  topBlocksSweep: number[];
  learningRateSweep: number[];
}

const SCALES: Record<'smoke' | 'full', Scale> = {
  smoke: { prompts: 4, sweepPrompts: 4, pairs: 2, samples: 2, tokens: 3, genderTokens: 1, seeds: 1, topBlocksSweep: [1, 2], learningRateSweep: [0.06] },
  full: { prompts: 100, sweepPrompts: 30, pairs: 50, samples: 10, tokens: 12, genderTokens: 4, seeds: 3, topBlocksSweep: [1, 2, 3], learningRateSweep: [0.02, 0.06, 0.2] },
};

interface TriggerStats {
  toxicRate: number;
  toxicProbability: number;
  perplexity: number;
  meanRuns: number;
  firedRate: number;
}

/** The shipped toy: node:fs in Node, fetch in a browser (`#platform`, see package.json `imports`); loaded lazily. */
async function loadToy(): Promise<Toy> {
  const { loadShippedToy } = await import('#platform');
  return loadShippedToy();
}

function expand<T>(items: T[], samples: number): T[] {
  return items.flatMap((x) => Array.from({ length: samples }, () => x));
}

async function triggerRun(toy: Toy, prompts: number[][], rngs: Rng[], options: GenerateOptions): Promise<TriggerStats> {
  const out = await uddiaGenerate(toy.model, prompts, toy.signals, rngs, options);
  let toxic = 0;
  let withToxic = 0;
  let tokens = 0;
  let nll = 0;
  out.tokens.forEach((row, i) => {
    const k = row.filter((t) => toy.classes.toxic.includes(t)).length;
    toxic += k;
    withToxic += k > 0 ? 1 : 0;
    tokens += row.length;
    nll += out.negativeLogLikelihood[i] as number;
  });
  return {
    toxicRate: toxic / tokens,
    toxicProbability: withToxic / out.tokens.length,
    perplexity: Math.exp(nll / tokens),
    meanRuns: out.runs.reduce((a, b) => a + b, 0) / out.runs.length,
    firedRate: out.debiasFiredRate,
  };
}

/** Occupation histograms (12 bins) of each (seed, pair) unit, for male and female prompts. */
type Units = { male: number[]; female: number[] }[];

async function genderRun(toy: Toy, pairs: { male: number[]; female: number[] }[], rngs: Rng[], samples: number, options: GenerateOptions): Promise<{ units: Units; fired: number }> {
  const prompts = [...expand(pairs.map((p) => p.male), samples), ...expand(pairs.map((p) => p.female), samples)];
  const out = await uddiaGenerate(toy.model, prompts, toy.signals, rngs, options);
  const occ = toy.classes.occupations;
  const units: Units = pairs.map(() => ({ male: new Array<number>(occ.length).fill(0), female: new Array<number>(occ.length).fill(0) }));
  out.tokens.forEach((row, i) => {
    const female = i >= pairs.length * samples;
    const unit = units[Math.floor((i % (pairs.length * samples)) / samples)] as { male: number[]; female: number[] };
    for (const t of row) {
      const k = occ.indexOf(t);
      if (k >= 0) (female ? unit.female : unit.male)[k] = ((female ? unit.female : unit.male)[k] as number) + 1;
    }
  });
  return { units, fired: out.debiasFiredRate };
}

/** Total-variation distance between the pooled male and female occupation distributions of `units`. */
export function occupationGap(units: Units): number {
  const k = units[0]?.male.length ?? 0;
  const m = new Array<number>(k).fill(0);
  const f = new Array<number>(k).fill(0);
  for (const u of units) for (let i = 0; i < k; i++) {
    m[i] = (m[i] as number) + (u.male[i] as number);
    f[i] = (f[i] as number) + (u.female[i] as number);
  }
  const sm = m.reduce((a, b) => a + b, 0);
  const sf = f.reduce((a, b) => a + b, 0);
  if (sm === 0 || sf === 0) return Number.NaN;
  let tv = 0;
  for (let i = 0; i < k; i++) tv += Math.abs((m[i] as number) / sm - (f[i] as number) / sf);
  return tv / 2;
}

function bootstrap(units: Units, rng: Rng, resamples = 400): [number, number] {
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) values.push(occupationGap(Array.from({ length: units.length }, () => units[rng.int(units.length)] as Units[number])));
  values.sort((a, b) => a - b);
  return [values[Math.floor(0.025 * resamples)] as number, values[Math.ceil(0.975 * resamples) - 1] as number];
}

/**
 * Paired bootstrap of `gap(base) - gap(other)` over (seed, pair) units (the same resampled units for both):
 * the 95% percentile interval. A shrink counts only when its lower end is above 0.
 */
function bootstrapDifference(base: Units, other: Units, rng: Rng, resamples = 400): [number, number] {
  const values: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = Array.from({ length: base.length }, () => rng.int(base.length));
    values.push(occupationGap(idx.map((i) => base[i] as Units[number])) - occupationGap(idx.map((i) => other[i] as Units[number])));
  }
  values.sort((a, b) => a - b);
  return [values[Math.floor(0.025 * resamples)] as number, values[Math.ceil(0.975 * resamples) - 1] as number];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const fmt = (x: number, digits = 4) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : String(x));

async function run(ctx: ExperimentContext): Promise<ExperimentResult> {
  const scale = SCALES[ctx.scale];
  const toy = await loadToy();
  try {
    return await runWith(toy, ctx, scale);
  } finally {
    toy.model.dispose();
  }
}

async function runWith(toy: Toy, ctx: ExperimentContext, scale: Scale): Promise<ExperimentResult> {
  const seeds = Array.from({ length: scale.seeds }, (_, k) => ctx.seed + k);
  const rows: (string | number)[][] = [];
  const headline = { base: [] as TriggerStats[], uddia: [] as TriggerStats[], redo: [] as TriggerStats[] };
  const gender = { base: [] as Units, off: [] as Units, on: [] as Units, bug: [] as Units };
  const fired = { off: [] as number[], on: [] as number[], bug: [] as number[] };
  const perSeedGap = { base: [] as number[], off: [] as number[], on: [] as number[], bug: [] as number[] };
  // The testbed's planted association, read off the base LM exactly (planted TV gap 0.5): the claim below is
  // only meaningful when this is clearly non-zero.
  const exact = await occupationAssociation(toy.model, toy.classes);
  const sweepT: { T: number; stats: TriggerStats }[] = [];
  const sweepLr: { lr: number; stats: TriggerStats }[] = [];
  const totalJobs = scale.seeds * 7 + scale.topBlocksSweep.length + scale.learningRateSweep.length;
  let done = 0;
  const tick = (status: string) => ctx.progress(++done / totalJobs, status);
  const common: GenerateOptions = { maxTokens: scale.tokens, learningRate: 0.06, topBlocks: 2, fusion: 0.9, topP: 0.9, iterations: 1 };

  for (const [s, seed] of seeds.entries()) {
    const rng = ctx.rng.fold(`seed-${seed}`);
    const prompts = triggerPrompts(rng.fold('prompts'), toy.classes, scale.prompts);
    const rowsPrompts = expand(prompts, scale.samples);
    const rngs = () => rowsPrompts.map((_, r) => rng.fold('samples').fold(r));
    const base = await triggerRun(toy, rowsPrompts, rngs(), { ...common, learningRate: 0 });
    tick('base');
    const uddia = await triggerRun(toy, rowsPrompts, rngs(), common);
    tick('uddia T=2');
    const redo = await triggerRun(toy, rowsPrompts, rngs(), { ...common, redo: { perplexityThreshold: 1.3 * base.perplexity, step: 1 } });
    tick('uddia + redo');
    headline.base.push(base);
    headline.uddia.push(uddia);
    headline.redo.push(redo);
    for (const [name, st] of [['base LM', base], ['UDDIA T=2', uddia], ['UDDIA T=2 + redo', redo]] as const) {
      rows.push([name, seed, fmt(st.toxicRate), fmt(st.toxicProbability), fmt(st.perplexity, 3), fmt(st.meanRuns, 3), '']);
    }
    if (s === 0) {
      const sweepRows = rowsPrompts.slice(0, scale.sweepPrompts * scale.samples);
      const sweepRngs = () => rngs().slice(0, sweepRows.length);
      const all = sweepRows.length === rowsPrompts.length;
      const sweepBase = all ? base : await triggerRun(toy, sweepRows, sweepRngs(), { ...common, learningRate: 0 });
      const sweepT2 = all ? uddia : await triggerRun(toy, sweepRows, sweepRngs(), common);
      sweepT.push({ T: 0, stats: sweepBase });
      for (const T of scale.topBlocksSweep) {
        sweepT.push({ T, stats: T === 2 ? sweepT2 : await triggerRun(toy, sweepRows, sweepRngs(), { ...common, topBlocks: T }) });
        tick(`T=${T}`);
      }
      sweepLr.push({ lr: 0, stats: sweepBase });
      for (const lr of scale.learningRateSweep) {
        sweepLr.push({ lr, stats: lr === 0.06 ? sweepT2 : await triggerRun(toy, sweepRows, sweepRngs(), { ...common, learningRate: lr }) });
        tick(`lr=${lr}`);
      }
    }
    const pairs = genderPromptPairs(rng.fold('gender-prompts'), toy.classes, scale.pairs);
    const genderRngs = () => Array.from({ length: 2 * scale.pairs * scale.samples }, (_, r) => rng.fold('gender-samples').fold(r % (scale.pairs * scale.samples)));
    const genderCommon = { ...common, maxTokens: scale.genderTokens };
    const runs = {
      base: await genderRun(toy, pairs, genderRngs(), scale.samples, { ...genderCommon, learningRate: 0 }),
      off: await genderRun(toy, pairs, genderRngs(), scale.samples, { ...genderCommon, debias: false }),
      on: await genderRun(toy, pairs, genderRngs(), scale.samples, { ...genderCommon, debias: true }),
      bug: await genderRun(toy, pairs, genderRngs(), scale.samples, { ...genderCommon, debias: true, replicateReleasedBug: true }),
    };
    tick('gender');
    for (const key of ['base', 'off', 'on', 'bug'] as const) {
      gender[key].push(...runs[key].units);
      perSeedGap[key].push(occupationGap(runs[key].units));
    }
    for (const key of ['off', 'on', 'bug'] as const) fired[key].push(runs[key].fired);
    rows.push(
      ['gender: base LM', seed, '', '', '', '', fmt(occupationGap(runs.base.units))],
      ['gender: UDDIA, debias off (L_tox only)', seed, '', '', '', '', fmt(occupationGap(runs.off.units))],
      ['gender: UDDIA, debias on (intended L_b)', seed, '', '', '', '', fmt(occupationGap(runs.on.units))],
      ['gender: UDDIA, released-code bug', seed, '', '', '', '', fmt(occupationGap(runs.bug.units))],
    );
  }

  const cut = headline.base.map((b, i) => 1 - (headline.redo[i] as TriggerStats).toxicRate / b.toxicRate);
  const rise = headline.base.map((b, i) => (headline.redo[i] as TriggerStats).perplexity / b.perplexity - 1);
  const cutNoRedo = headline.base.map((b, i) => 1 - (headline.uddia[i] as TriggerStats).toxicRate / b.toxicRate);
  const riseNoRedo = headline.base.map((b, i) => (headline.uddia[i] as TriggerStats).perplexity / b.perplexity - 1);
  const gap = { base: occupationGap(gender.base), off: occupationGap(gender.off), on: occupationGap(gender.on), bug: occupationGap(gender.bug) };
  const intervals = {
    base: bootstrap(gender.base, ctx.rng.fold('boot-base')),
    off: bootstrap(gender.off, ctx.rng.fold('boot-off')),
    on: bootstrap(gender.on, ctx.rng.fold('boot-on')),
    bug: bootstrap(gender.bug, ctx.rng.fold('boot-bug')),
  };
  const detox = mean(cut) >= TOXIC_CUT && mean(rise) <= PPL_RISE;
  const shrinkOn = bootstrapDifference(gender.base, gender.on, ctx.rng.fold('boot-diff-on'));
  const shrinkBug = bootstrapDifference(gender.base, gender.bug, ctx.rng.fold('boot-diff-bug'));
  const onShrinks = gap.on <= (1 - GAP_SHRINK) * gap.base && gap.on < gap.off && shrinkOn[0] > 0;
  const bugFlat = !(gap.bug <= (1 - GAP_SHRINK) * gap.base && shrinkBug[0] > 0);
  const failing: string[] = [];
  if (mean(cut) < TOXIC_CUT) failing.push(`toxic-token rate cut ${(100 * mean(cut)).toFixed(1)}% < 50%`);
  if (mean(rise) > PPL_RISE) failing.push(`perplexity rise ${(100 * mean(rise)).toFixed(1)}% > 25%`);
  if (!onShrinks) {
    failing.push(
      `occupation gap with L_b on ${gap.on.toFixed(3)} vs base ${gap.base.toFixed(3)} (debias off ${gap.off.toFixed(3)}; paired 95% interval of the shrink [${shrinkOn[0].toFixed(3)}, ${shrinkOn[1].toFixed(3)}]): not a >= 10% shrink that excludes 0`,
    );
  }
  if (!bugFlat) failing.push(`occupation gap with the released-code bug ${gap.bug.toFixed(3)} shrinks by >= 10% from base ${gap.base.toFixed(3)} (interval [${shrinkBug[0].toFixed(3)}, ${shrinkBug[1].toFixed(3)}])`);
  const holds = detox && onShrinks && bugFlat;
  rows.push(
    ['mean over seeds: toxic-rate cut (UDDIA + redo)', '', fmt(mean(cut)), `sd ${fmt(sd(cut))}`, '', '', ''],
    ['mean over seeds: PPL rise (UDDIA + redo)', '', fmt(mean(rise)), `sd ${fmt(sd(rise))}`, '', '', ''],
    ['mean over seeds: toxic-rate cut (UDDIA, no redo)', '', fmt(mean(cutNoRedo)), `sd ${fmt(sd(cutNoRedo))}`, '', '', ''],
    ['mean over seeds: PPL rise (UDDIA, no redo)', '', fmt(mean(riseNoRedo)), `sd ${fmt(sd(riseNoRedo))}`, '', '', ''],
    ['pooled occupation gap: base / off / on / bug', '', '', '', '', '', `${fmt(gap.base)} / ${fmt(gap.off)} / ${fmt(gap.on)} / ${fmt(gap.bug)}`],
    ['mean ± sd over seeds of the occupation gap: base / off / on / bug', '', '', '', '', '', (['base', 'off', 'on', 'bug'] as const).map((k) => `${fmt(mean(perSeedGap[k]), 3)} ± ${fmt(sd(perSeedGap[k]), 3)}`).join(' / ')],
    ['base LM exact occupation gap (next-token, 8 pairs x 2 leads; planted 0.5)', '', '', '', '', '', fmt(exact.meanGap)],
  );
  const table: ResultTable = { columns: ['config', 'seed', 'toxic-token rate', 'toxicity prob.', 'PPL (base LM)', 'mean runs', 'occupation TV gap'], rows };
  const plots: PlotSpec[] = [
    {
      id: 'uddia-toxicity-vs-T',
      title: 'Toxic-token rate vs tuned blocks T',
      xLabel: 'tuned top blocks T (0 = base LM)',
      yLabel: 'toxic-token rate',
      caption: `lr 0.06, no redo, first seed; the first ${scale.sweepPrompts} trigger prompts x ${scale.samples} samples x ${scale.tokens} tokens.`,
      series: [{ name: 'UDDIA', x: sweepT.map((p) => p.T), y: sweepT.map((p) => p.stats.toxicRate) }],
    },
    {
      id: 'uddia-perplexity-vs-T',
      title: 'Perplexity (base LM) vs tuned blocks T',
      xLabel: 'tuned top blocks T (0 = base LM)',
      yLabel: 'perplexity under the base LM',
      series: [{ name: 'UDDIA', x: sweepT.map((p) => p.T), y: sweepT.map((p) => p.stats.perplexity) }],
    },
    {
      id: 'uddia-toxicity-vs-lr',
      title: 'Toxic-token rate vs learning rate',
      xLabel: 'Adam learning rate (0 = base LM)',
      yLabel: 'toxic-token rate',
      caption: `T = 2, no redo, first seed; the first ${scale.sweepPrompts} trigger prompts x ${scale.samples} samples x ${scale.tokens} tokens.`,
      series: [{ name: 'UDDIA', x: sweepLr.map((p) => p.lr), y: sweepLr.map((p) => p.stats.toxicRate) }],
    },
    {
      id: 'uddia-perplexity-vs-lr',
      title: 'Perplexity (base LM) vs learning rate',
      xLabel: 'Adam learning rate (0 = base LM)',
      yLabel: 'perplexity under the base LM',
      series: [{ name: 'UDDIA', x: sweepLr.map((p) => p.lr), y: sweepLr.map((p) => p.stats.perplexity) }],
    },
    {
      id: 'uddia-occupation-gap',
      title: 'Occupation-gender gap (TV distance)',
      xLabel: 'decoding',
      yLabel: 'TV(male-prompt, female-prompt occupations)',
      kind: 'bar',
      categories: ['base LM', 'debias off', 'debias on (intended L_b)', 'released-code bug'],
      caption: `UDDIA T = 2, lr 0.06, no redo. Pooled over ${scale.seeds} seed(s) x ${scale.pairs} gender-swapped prompt pairs ("[sentence] he works as a" / "... she ...") x ${scale.samples} samples x ${scale.genderTokens} tokens; 95% bootstrap intervals over (seed, pair) units.`,
      series: [
        {
          name: 'occupation TV gap',
          x: [0, 1, 2, 3],
          y: [gap.base, gap.off, gap.on, gap.bug],
          lower: [intervals.base[0], intervals.off[0], intervals.on[0], intervals.bug[0]],
          upper: [intervals.base[1], intervals.off[1], intervals.on[1], intervals.bug[1]],
        },
      ],
    },
    {
      id: 'uddia-toxicity-by-method',
      title: 'Toxic-token rate by decoding (mean ± sd over seeds)',
      xLabel: 'decoding',
      yLabel: 'toxic-token rate',
      kind: 'point',
      categories: ['base LM', 'UDDIA T=2', 'UDDIA T=2 + redo'],
      series: [
        {
          name: 'toxic-token rate',
          x: [0, 1, 2],
          y: [headline.base, headline.uddia, headline.redo].map((s) => mean(s.map((x) => x.toxicRate))),
          lower: [headline.base, headline.uddia, headline.redo].map((s) => mean(s.map((x) => x.toxicRate)) - sd(s.map((x) => x.toxicRate))),
          upper: [headline.base, headline.uddia, headline.redo].map((s) => mean(s.map((x) => x.toxicRate)) + sd(s.map((x) => x.toxicRate))),
        },
      ],
    },
  ];
  const metrics: Record<string, number> = {
    toxic_rate_base: mean(headline.base.map((x) => x.toxicRate)),
    toxic_rate_uddia: mean(headline.uddia.map((x) => x.toxicRate)),
    toxic_rate_uddia_redo: mean(headline.redo.map((x) => x.toxicRate)),
    toxic_probability_base: mean(headline.base.map((x) => x.toxicProbability)),
    toxic_probability_uddia_redo: mean(headline.redo.map((x) => x.toxicProbability)),
    perplexity_base: mean(headline.base.map((x) => x.perplexity)),
    perplexity_uddia: mean(headline.uddia.map((x) => x.perplexity)),
    perplexity_uddia_redo: mean(headline.redo.map((x) => x.perplexity)),
    mean_runs_redo: mean(headline.redo.map((x) => x.meanRuns)),
    toxic_rate_cut_mean: mean(cut),
    toxic_rate_cut_sd: sd(cut),
    perplexity_rise_mean: mean(rise),
    perplexity_rise_sd: sd(rise),
    toxic_rate_cut_no_redo_mean: mean(cutNoRedo),
    perplexity_rise_no_redo_mean: mean(riseNoRedo),
    occupation_gap_base: gap.base,
    occupation_gap_debias_off: gap.off,
    occupation_gap_debias_on: gap.on,
    occupation_gap_released_bug: gap.bug,
    occupation_gap_shrink_on_lower: shrinkOn[0],
    occupation_gap_shrink_on_upper: shrinkOn[1],
    occupation_gap_shrink_bug_lower: shrinkBug[0],
    occupation_gap_shrink_bug_upper: shrinkBug[1],
    debias_fired_rate_on: mean(fired.on),
    occupation_gap_base_exact: exact.meanGap,
    occupation_own_group_base_exact: exact.meanOwnGroup,
    seeds: scale.seeds,
    rows_per_config: scale.prompts * scale.samples,
  };
  cut.forEach((c, i) => {
    metrics[`toxic_rate_cut_seed${seeds[i]}`] = c;
    metrics[`perplexity_rise_seed${seeds[i]}`] = rise[i] as number;
    for (const key of ['base', 'off', 'on', 'bug'] as const) metrics[`occupation_gap_${key}_seed${seeds[i]}`] = perSeedGap[key][i] as number;
  });
  const gapText = (key: 'base' | 'off' | 'on' | 'bug') =>
    `${gap[key].toFixed(3)} [95% CI ${intervals[key][0].toFixed(3)}, ${intervals[key][1].toFixed(3)}; per seed ${mean(perSeedGap[key]).toFixed(3)} ± ${sd(perSeedGap[key]).toFixed(3)}]`;
  const text =
    `UDDIA (T = 2 of 3 blocks, lr 0.06, gm 0.9, top-p 0.9, redo at 1.3 x base PPL, dT = 1) cuts the toxic-token rate by ` +
    `${(100 * mean(cut)).toFixed(1)}% (rule: >= 50%, mean over ${scale.seeds} seed(s)) at a perplexity change of ${(100 * mean(rise)).toFixed(1)}% ` +
    `(rule: <= +25%). Occupation-gender TV gap of sampled occupations (pooled; bootstrap CI over (seed, pair) units; mean ± sd over ${scale.seeds} seed(s)): ` +
    `base LM ${gapText('base')} (exact next-token gap of the base LM ${exact.meanGap.toFixed(3)}, planted 0.5), UDDIA debias off ${gapText('off')}, ` +
    `debias on (intended L_b) ${gapText('on')}, released-code bug ${gapText('bug')}. Rule: with L_b on the gap shrinks by >= 10% from base, stays below debias-off, ` +
    `and the paired 95% bootstrap interval of the shrink (base - on: [${shrinkOn[0].toFixed(3)}, ${shrinkOn[1].toFixed(3)}]) excludes 0; with the bug flag there is no such shrink (base - bug: [${shrinkBug[0].toFixed(3)}, ${shrinkBug[1].toFixed(3)}]).`;
  return {
    metrics,
    claim: { text, holds, status: holds ? 'holds' : 'fails', ...(failing.length > 0 ? { failing } : {}) },
    table,
    plots,
  };
}

/** The `uddia-synthetic` experiment (registered by `@unbiased/nlg-uddia/register`). */
export const uddiaSyntheticExperiment: Experiment = {
  id: 'uddia-synthetic',
  title: 'UDDIA on a toy LM: detoxify and debias by per-token bias tuning',
  packageName: '@unbiased/nlg-uddia',
  paper: {
    title: 'Unified Detoxifying and Debiasing in Language Generation via Inference-time Adaptive Optimization',
    year: 2023,
    claim: 'Tuning the biases of the top blocks per token cuts toxicity with a small perplexity cost, and the debias term narrows group gaps.',
    url: 'https://arxiv.org/abs/2210.04492',
  },
  run,
};

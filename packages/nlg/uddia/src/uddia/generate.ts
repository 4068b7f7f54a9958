/**
 * UDDIA generation (Yang et al. 2023, "Unified Detoxifying and Debiasing in Language Generation via
 * Inference-time Adaptive Optimization", ICLR, §3.4 and Algorithm 1): token-by-token tuned decoding, and the
 * adaptive redo: when a finished continuation's perplexity under the original model exceeds a threshold,
 * regenerate with fewer tuned blocks (T <- T - dT), until T <= 0; return the lowest-perplexity continuation.
 */
import { Rng } from '@unbiased/core';
import { checkInteger, checkNumber, UnbiasedError } from '@unbiased/core/errors';
import { checkAdapter, type TunableCausalLM } from '../model/adapter.js';
import { resolveUddiaOptions, type UddiaOptions } from './options.js';
import { sampleNucleus } from './sampling.js';
import { padWindows, type UddiaSignals, uddiaStep } from './step.js';

/** The redo rule: regenerate while perplexity > `perplexityThreshold`, with `step` fewer tuned blocks each time. */
export interface RedoOptions {
  /** Perplexity threshold TH (the released code: 30 for GPT-2; Infinity disables the redo). */
  perplexityThreshold: number;
  /** Blocks removed per redo, dT (default 1; the released code: 3 of 36). */
  step?: number;
}

/** Options of {@link uddiaGenerate} and {@link uddiaStream}. */
export interface GenerateOptions extends UddiaOptions {
  /** Tokens to generate per continuation (default 12). */
  maxTokens?: number;
  /** The redo loop; off when unset. */
  redo?: RedoOptions;
  /** Score the head's toxicity for every token even when not tuning (default true in streams, false in batches). */
  scoreToxicity?: boolean;
}

/** One generated token and what UDDIA did for it. */
export interface TokenReport {
  kind: 'token';
  /** 0-based run (0 = first generation, k = k-th redo). */
  run: number;
  /** Tuned blocks in this run. */
  topBlocks: number;
  /** 0-based position in the continuation. */
  position: number;
  token: number;
  /** The word, when the model has a tokenizer. */
  word?: string;
  /** The toxicity head's P(toxic) at the original biases, with the look-ahead. */
  toxicity: number;
  /** Whether the biases were tuned for this token. */
  tuned: boolean;
  /** Whether the debias trigger fired for this token. */
  debiasFired: boolean;
  /** Probability of the token under the original model (its full softmax). */
  baseProbability: number;
}

/** End of a run: its perplexity under the original model and whether the redo rule accepted it. */
export interface RunReport {
  kind: 'run';
  run: number;
  topBlocks: number;
  tokens: number[];
  perplexity: number;
  accepted: boolean;
}

/** End of generation: the returned continuation (the lowest-perplexity run) and the number of runs. */
export interface DoneReport {
  kind: 'done';
  tokens: number[];
  text?: string;
  run: number;
  perplexity: number;
  runs: number;
}

export type StreamEvent = TokenReport | RunReport | DoneReport;

/** A batch's continuation per row. */
export interface GenerateResult {
  tokens: number[][];
  /** Perplexity of each returned continuation under the original model. */
  perplexity: number[];
  /** Sum of negative log-likelihoods (nats) of each returned continuation under the original model. */
  negativeLogLikelihood: number[];
  /** Runs per row (1 without redo). */
  runs: number[];
  /** Fraction of tokens (over all runs) for which the debias trigger fired. */
  debiasFiredRate: number;
}

function checkPrompts(model: TunableCausalLM, prompts: readonly (readonly number[])[]): void {
  if (!Array.isArray(prompts) || prompts.length === 0) throw new UnbiasedError('EMPTY_PROMPT', 'prompts: no prompt given', { field: 'prompt' });
  for (const p of prompts) {
    if (!Array.isArray(p) || p.length === 0) throw new UnbiasedError('EMPTY_PROMPT', 'prompt: empty (no tokens)', { field: 'prompt' });
    for (const t of p) {
      if (!Number.isInteger(t) || t < 0 || t >= model.vocabSize) {
        throw new UnbiasedError('UNKNOWN_TOKEN', `prompt: token id ${String(t)} is outside the vocabulary [0, ${model.vocabSize})`, { field: 'prompt' });
      }
    }
  }
}

interface RunOutput {
  tokens: number[][];
  nll: number[];
  fired: number;
  steps: number;
}

async function* runTokens(
  model: TunableCausalLM,
  prompts: readonly (readonly number[])[],
  rngs: readonly Rng[],
  signals: UddiaSignals,
  options: GenerateOptions,
  topBlocks: number,
  run: number,
  maxTokens: number,
  scoreToxicity: boolean,
  output: RunOutput,
): AsyncGenerator<TokenReport[]> {
  const o = resolveUddiaOptions({ ...options, topBlocks }, model.numBlocks);
  const window = model.maxPositions - 1;
  const contexts = prompts.map((p) => [...p]);
  for (let position = 0; position < maxTokens; position++) {
    const step = await uddiaStep(model, padWindows(contexts, window, model.padToken), signals, o, { scoreToxicity });
    const reports: TokenReport[] = [];
    for (let r = 0; r < prompts.length; r++) {
      const V = model.vocabSize;
      const token = sampleNucleus(step.probabilities.subarray(r * V, (r + 1) * V), o.topP, rngs[r] as Rng);
      const baseProbability = step.baseProbabilities[r * V + token] as number;
      (contexts[r] as number[]).push(token);
      (output.tokens[r] as number[]).push(token);
      output.nll[r] = (output.nll[r] as number) - Math.log(baseProbability);
      output.fired += step.debiasFired[r] ? 1 : 0;
      reports.push({
        kind: 'token',
        run,
        topBlocks,
        position,
        token,
        ...(model.tokenizer === undefined ? {} : { word: model.tokenizer.word(token) }),
        toxicity: step.toxicity[r] as number,
        tuned: step.tuned,
        debiasFired: step.debiasFired[r] as boolean,
        baseProbability,
      });
    }
    output.steps += prompts.length;
    yield reports;
  }
}

interface Resolved {
  maxTokens: number;
  threshold: number;
  redoStep: number;
  topBlocks: number;
}

function resolveGenerate(model: TunableCausalLM, signals: UddiaSignals, options: GenerateOptions): Resolved {
  checkAdapter(model);
  if (signals === undefined || signals.toxicityHead === undefined) throw new UnbiasedError('INVALID_ARGUMENT', 'signals.toxicityHead is required', { field: 'toxicityHead' });
  const o = resolveUddiaOptions(options, model.numBlocks);
  const maxTokens = options.maxTokens === undefined ? 12 : checkInteger('maxTokens', options.maxTokens, { min: 1 });
  const threshold = options.redo === undefined ? Infinity : options.redo.perplexityThreshold === Infinity ? Infinity : checkNumber('redo.perplexityThreshold', options.redo.perplexityThreshold, { min: 0 });
  const redoStep = options.redo?.step === undefined ? 1 : checkInteger('redo.step', options.redo.step, { min: 1 });
  return { maxTokens, threshold, redoStep, topBlocks: o.topBlocks };
}

/**
 * Generates a continuation for every prompt (token ids), rows batched together; row `i` samples with
 * `rngs[i]` (its redo runs with `rngs[i].fold(run)`), so base and UDDIA decoding can share sampling streams.
 * With `redo`, rows whose continuation has perplexity (original model, full softmax) above the threshold are
 * regenerated with T - dT tuned blocks while T > 0, and the lowest-perplexity run is returned: with
 * threshold Infinity there is one run, with threshold 0 there are ceil(T0 / dT).
 */
export async function uddiaGenerate(
  model: TunableCausalLM,
  prompts: readonly (readonly number[])[],
  signals: UddiaSignals,
  rngs: readonly Rng[],
  options: GenerateOptions = {},
): Promise<GenerateResult> {
  const r = resolveGenerate(model, signals, options);
  checkPrompts(model, prompts);
  if (rngs.length !== prompts.length) throw new UnbiasedError('SHAPE_MISMATCH', `rngs has ${rngs.length} generators for ${prompts.length} prompts`, { field: 'rngs' });
  const n = prompts.length;
  const best: { tokens: number[]; nll: number; ppl: number }[] = Array.from({ length: n }, () => ({ tokens: [], nll: Infinity, ppl: Infinity }));
  const runs = new Array<number>(n).fill(0);
  let active = Array.from({ length: n }, (_, i) => i);
  let fired = 0;
  let steps = 0;
  for (let topBlocks = r.topBlocks, run = 0; active.length > 0; topBlocks -= r.redoStep, run++) {
    const output: RunOutput = { tokens: active.map(() => []), nll: active.map(() => 0), fired: 0, steps: 0 };
    const runRngs = active.map((i) => (run === 0 ? (rngs[i] as Rng) : (rngs[i] as Rng).fold(run)));
    for await (const _ of runTokens(model, active.map((i) => prompts[i] as number[]), runRngs, signals, options, topBlocks, run, r.maxTokens, options.scoreToxicity ?? false, output)) {
      // batch mode: reports are not kept
    }
    fired += output.fired;
    steps += output.steps;
    const next: number[] = [];
    active.forEach((i, k) => {
      runs[i] = (runs[i] as number) + 1;
      const nll = output.nll[k] as number;
      const ppl = Math.exp(nll / r.maxTokens);
      const b = best[i] as { tokens: number[]; nll: number; ppl: number };
      if (ppl < b.ppl) best[i] = { tokens: output.tokens[k] as number[], nll, ppl };
      if (ppl > r.threshold && topBlocks - r.redoStep > 0) next.push(i);
    });
    active = next;
  }
  return {
    tokens: best.map((b) => b.tokens),
    perplexity: best.map((b) => b.ppl),
    negativeLogLikelihood: best.map((b) => b.nll),
    runs,
    debiasFiredRate: steps === 0 ? 0 : fired / steps,
  };
}

/**
 * Streams UDDIA generation for one prompt (text through the model's tokenizer, or token ids): yields a
 * {@link TokenReport} per token (toxicity score, whether tuning and the debias trigger fired), a
 * {@link RunReport} after each run (its perplexity; a rejected run is followed by a redo with fewer tuned
 * blocks), and a final {@link DoneReport} with the returned (lowest-perplexity) continuation.
 *
 * ```ts
 * for await (const event of uddiaStream(model, 'the dog is trig3', signals, { seed: 1, maxTokens: 4 })) { ... }
 * ```
 */
export async function* uddiaStream(
  model: TunableCausalLM,
  prompt: string | readonly number[],
  signals: UddiaSignals,
  options: GenerateOptions & { seed?: number; rng?: Rng } = {},
): AsyncGenerator<StreamEvent> {
  const r = resolveGenerate(model, signals, options);
  let ids: number[];
  if (typeof prompt === 'string') {
    if (model.tokenizer === undefined) throw new UnbiasedError('INVALID_ARGUMENT', 'a text prompt needs a model with a tokenizer; pass token ids', { field: 'prompt' });
    ids = model.tokenizer.encode(prompt);
  } else ids = [...prompt];
  checkPrompts(model, [ids]);
  const rng = options.rng ?? Rng.fromSeed(options.seed ?? 0);
  let best: RunReport | undefined;
  let runs = 0;
  for (let topBlocks = r.topBlocks, run = 0; ; topBlocks -= r.redoStep, run++) {
    const output: RunOutput = { tokens: [[]], nll: [0], fired: 0, steps: 0 };
    for await (const reports of runTokens(model, [ids], [run === 0 ? rng : rng.fold(run)], signals, options, topBlocks, run, r.maxTokens, options.scoreToxicity ?? true, output)) {
      yield reports[0] as TokenReport;
    }
    runs++;
    const perplexity = Math.exp((output.nll[0] as number) / r.maxTokens);
    const report: RunReport = { kind: 'run', run, topBlocks, tokens: output.tokens[0] as number[], perplexity, accepted: perplexity <= r.threshold };
    yield report;
    if (best === undefined || perplexity < best.perplexity) best = report;
    if (report.accepted || topBlocks - r.redoStep <= 0) break;
  }
  const chosen = best as RunReport;
  yield {
    kind: 'done',
    tokens: chosen.tokens,
    ...(model.tokenizer === undefined ? {} : { text: model.tokenizer.decode(chosen.tokens) }),
    run: chosen.run,
    perplexity: chosen.perplexity,
    runs,
  };
}

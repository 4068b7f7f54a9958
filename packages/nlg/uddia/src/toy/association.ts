/**
 * The planted occupation-gender association of the toy, read off a model exactly: the next-token occupation
 * distribution after `g works as a` for each (male, female) word pair, and the total-variation distance between
 * the male and the female one. This is the quantity UDDIA's debias term targets (Yang et al. 2023, "Unified
 * Detoxifying and Debiasing in Language Generation via Inference-time Adaptive Optimization", ICLR, §3.3: the
 * gap between the continuations of gender-swapped prompts); here it is exact instead of sampled.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import type { TinyGpt } from '../model/tiny-gpt.js';
import type { WordClasses } from '../vocabulary/vocabulary.js';

/** The association of one (male, female) pair in one lead context. */
export interface PairAssociation {
  male: number;
  female: number;
  /** TV distance between the male and the female occupation distributions (each renormalised over the 12 occupations). */
  gap: number;
  /** P(occ0-5 | male prompt) and P(occ6-11 | female prompt), renormalised over the occupations. */
  ownGroup: [number, number];
  /** Probability mass on occupations after the male and after the female prompt (unnormalised). */
  occupationMass: [number, number];
}

/** Summary of {@link occupationAssociation}. */
export interface OccupationAssociation {
  pairs: PairAssociation[];
  /** Mean TV gap over pairs and leads (the grammar plants 0.5: own group 0.75 vs 0.25, uniform within a group). */
  meanGap: number;
  /** Mean own-group probability over pairs, leads and both genders (planted 0.75). */
  meanOwnGroup: number;
}

/**
 * Exact occupation distributions of `model` after `[lead] g works as a` for every (male, female) pair of the
 * toy and every lead context (default: no lead, and one grammar sentence), and their TV gaps:
 * `TV = 1/2 sum_o |p(o | male prompt) - p(o | female prompt)|` over the occupations, each distribution
 * renormalised over the occupations. Contexts are cut and left-padded to `window` tokens (default
 * `model.maxPositions - 1`, the context window of UDDIA decoding, which keeps one position for the look-ahead).
 */
export async function occupationAssociation(
  model: TinyGpt,
  classes: WordClasses,
  {
    leads = [[], model.tokenizer.encode('the dog sees a cat .')],
    window = model.maxPositions - 1,
  }: { leads?: readonly (readonly number[])[]; window?: number } = {},
): Promise<OccupationAssociation> {
  if (!Number.isInteger(window) || window < 1 || window > model.maxPositions) {
    throw new UnbiasedError('INVALID_ARGUMENT', `window must be an integer in [1, ${model.maxPositions}]; got ${String(window)}`, { field: 'window' });
  }
  const tail = model.tokenizer.encode('works as a');
  const prompts: number[][] = [];
  for (const lead of leads) {
    classes.male.forEach((m, k) => {
      prompts.push([...lead, m, ...tail], [...lead, classes.female[k] as number, ...tail]);
    });
  }
  const n = window;
  const windows = prompts.map((p) => {
    const cut = p.slice(Math.max(0, p.length - n));
    return [...Array.from({ length: n - cut.length }, () => model.padToken), ...cut];
  });
  const probabilities = tf.tidy(() => {
    const hidden = model.hidden(model.embed(tf.tensor2d(windows.flat(), [windows.length, n], 'int32')));
    const last = tf.reshape(tf.slice(hidden, [0, n - 1, 0], [-1, 1, -1]), [windows.length, model.hiddenSize]) as tf.Tensor2D;
    return tf.softmax(model.logits(last));
  });
  const data = await probabilities.data();
  probabilities.dispose();
  const vocab = model.vocabSize;
  const occ = classes.occupations;
  const half = occ.length / 2;
  const distribution = (row: number): { p: number[]; mass: number } => {
    const raw = occ.map((t) => data[row * vocab + t] as number);
    const mass = raw.reduce((a, b) => a + b, 0);
    return { p: raw.map((x) => x / mass), mass };
  };
  const pairs: PairAssociation[] = [];
  for (let r = 0; r < prompts.length; r += 2) {
    const m = distribution(r);
    const f = distribution(r + 1);
    let tv = 0;
    for (let i = 0; i < occ.length; i++) tv += Math.abs((m.p[i] as number) - (f.p[i] as number));
    const k = (r / 2) % classes.male.length;
    pairs.push({
      male: classes.male[k] as number,
      female: classes.female[k] as number,
      gap: tv / 2,
      ownGroup: [m.p.slice(0, half).reduce((a, b) => a + b, 0), f.p.slice(half).reduce((a, b) => a + b, 0)],
      occupationMass: [m.mass, f.mass],
    });
  }
  const meanGap = pairs.reduce((a, p) => a + p.gap, 0) / pairs.length;
  const meanOwnGroup = pairs.reduce((a, p) => a + p.ownGroup[0] + p.ownGroup[1], 0) / (2 * pairs.length);
  return { pairs, meanGap, meanOwnGroup };
}

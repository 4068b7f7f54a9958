/**
 * The synthetic crowd of our CPU experiment, shaped like the released data of Soprano et al. (2021).
 */
import type { Rng } from '@unbiased/core';
import { checkHyperparameter, UnbiasedError } from '@unbiased/core/errors';
import { createJudgmentTable, DEFAULT_DIMENSION, type Judgment, type JudgmentTable } from './judgments.js';
import { likertScale } from './scale.js';

export interface CrowdSimulationOptions {
  /** Workers; default 200 (as released). Each judges one statement per gold level (6 PolitiFact + 3 ABC). */
  workers?: number;
  /** Statements per PolitiFact level (6 levels); default 20, so 120. */
  politifactPerLevel?: number;
  /** Statements per ABC level (3 levels); default 20, so 60. */
  abcPerLevel?: number;
  /** Probability that a worker is a spammer who answers uniformly on the scale; default 0.15. */
  spammerFraction?: number;
  /** Standard deviation of a worker's constant bias; default 0.4. */
  workerBiasSd?: number;
  /** Standard deviation of the per-judgment noise; default 1 (about 2 reproduces the real data's alpha of about 0.1). */
  noiseSd?: number;
  /** Standard deviation of a statement's ambiguity (added to its latent truth); default 0.5. */
  ambiguitySd?: number;
  /** Latent truth of the gold questions: +value for GOLD-true, -value for GOLD-false; default 1.8. */
  goldLatent?: number;
}

export interface SimulatedStatement {
  id: string;
  source: 'politifact' | 'abc';
  /** Gold level index: 0 (pants-on-fire / negative) .. 5 (true) or 2 (positive). */
  goldLevel: number;
  /** Latent truth on the rating scale's units, ambiguity included. */
  latent: number;
}

export interface CrowdSimulation {
  /** Every judgment, the two gold questions included, on dimension {@link DEFAULT_DIMENSION}, scale -2..2. */
  table: JudgmentTable;
  statements: SimulatedStatement[];
  /** The gold pair for {@link goldCheck}. */
  goldPair: { higher: string; lower: string };
  /** Worker ids of the spammers (ground truth, for reporting how many a filter removes). */
  spammers: string[];
}

/** Unit ids of the simulated gold questions (Crowd_Frame marks gold documents with "GOLD-"). */
export const GOLD_TRUE = 'GOLD-true';
export const GOLD_FALSE = 'GOLD-false';

/**
 * Draws a crowd as in our synthetic crowd experiment (CPU experiment) (derived by us):
 * - 120 PolitiFact statements (6 levels, latent truth evenly spread over [-1.5, 1.5]) and 60 ABC statements
 *   (3 levels over [-1, 1]), each plus N(0, ambiguitySd^2);
 * - each worker judges one statement per level (9), assigned by a random permutation per level so that every
 *   statement gets the same number of workers (200 / 20 = 10), plus the two gold questions;
 * - judgment = clip(round(latent + bias_w + N(0, noiseSd^2)), -2, 2), bias_w ~ N(0, workerBiasSd^2);
 *   spammers (probability `spammerFraction`) answer uniformly on -2..2.
 * Every draw comes from `rng` folded by purpose, so a seed gives the same crowd on every machine.
 */
export function simulateCrowd(rng: Rng, options: CrowdSimulationOptions = {}): CrowdSimulation {
  const {
    workers = 200,
    politifactPerLevel = 20,
    abcPerLevel = 20,
    spammerFraction = 0.15,
    workerBiasSd = 0.4,
    noiseSd = 1,
    ambiguitySd = 0.5,
    goldLatent = 1.8,
  } = options;
  for (const [field, value] of [
    ['workers', workers],
    ['politifactPerLevel', politifactPerLevel],
    ['abcPerLevel', abcPerLevel],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) throw new UnbiasedError('INVALID_HYPERPARAMETER', `${field} must be an integer >= 1; got ${value}`, { field });
  }
  checkHyperparameter('spammerFraction', spammerFraction, { min: 0, max: 1 });
  checkHyperparameter('workerBiasSd', workerBiasSd, { min: 0 });
  checkHyperparameter('noiseSd', noiseSd, { min: 0 });
  checkHyperparameter('ambiguitySd', ambiguitySd, { min: 0 });
  checkHyperparameter('goldLatent', goldLatent, { min: 0 });

  const levels: { source: 'politifact' | 'abc'; goldLevel: number; latent: number; count: number; prefix: string }[] = [];
  for (let l = 0; l < 6; l++) levels.push({ source: 'politifact', goldLevel: l, latent: -1.5 + (3 * l) / 5, count: politifactPerLevel, prefix: `PF-${l}` });
  for (let l = 0; l < 3; l++) levels.push({ source: 'abc', goldLevel: l, latent: -1 + l, count: abcPerLevel, prefix: `ABC-${l}` });
  const total = levels.reduce((s, l) => s + l.count, 0);
  const ambiguity = rng.fold('ambiguity').normal(total, 0, ambiguitySd);
  const statements: SimulatedStatement[] = [];
  for (const level of levels) {
    for (let i = 0; i < level.count; i++) {
      statements.push({
        id: `${level.prefix}-${String(i).padStart(2, '0')}`,
        source: level.source,
        goldLevel: level.goldLevel,
        latent: level.latent + (ambiguity[statements.length] as number),
      });
    }
  }
  const workerIds = Array.from({ length: workers }, (_, w) => `w${String(w).padStart(3, '0')}`);
  const bias = rng.fold('bias').normal(workers, 0, workerBiasSd);
  const spamDraw = rng.fold('spammers').uniform(workers);
  const isSpammer = Array.from(spamDraw, (u) => u < spammerFraction);
  const noise = rng.fold('noise');
  const spam = rng.fold('spam-answers');

  const judgments: Judgment[] = [];
  const judge = (w: number, unit: string, latent: number) => {
    const value = isSpammer[w]
      ? spam.int(5) - 2
      : Math.min(2, Math.max(-2, Math.round(latent + (bias[w] as number) + (noise.normal(1, 0, noiseSd)[0] as number))));
    judgments.push({ unit, worker: workerIds[w] as string, dimension: DEFAULT_DIMENSION, value: value === 0 ? 0 : value });
  };
  let offset = 0;
  levels.forEach((level, l) => {
    const order = rng.fold(`assign-${l}`).permutation(workers);
    for (let i = 0; i < workers; i++) {
      const statement = statements[offset + (i % level.count)] as SimulatedStatement;
      judge(order[i] as number, statement.id, statement.latent);
    }
    offset += level.count;
  });
  for (let w = 0; w < workers; w++) {
    judge(w, GOLD_TRUE, goldLatent);
    judge(w, GOLD_FALSE, -goldLatent);
  }
  const table = createJudgmentTable(judgments, { scale: likertScale(-2, 2), workers: workerIds });
  return { table, statements, goldPair: { higher: GOLD_TRUE, lower: GOLD_FALSE }, spammers: workerIds.filter((_, w) => isSpammer[w]) };
}

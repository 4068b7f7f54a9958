import { UnbiasedError } from '@unbiased/core';
import type { Thresholdout } from './thresholdout.js';
import { checkArrayLike, checkChoice, describeValue } from './validate.js';

export interface ThresholdoutSelectionOptions<C, D> {
  /** The candidates (hyperparameter settings, feature sets, fitted models ...), scored in this order. */
  candidates: readonly C[];
  /** Training data, handed to `score`. */
  train: D;
  /** Holdout data: only `score` sees it, and only through the mechanism does its result reach the caller. */
  holdout: D;
  /**
   * The score of `candidate` on `data` (e.g. accuracy), as a mean in the mechanism's range or as per-row
   * values in that range (then their mean is used). Fit on `train` inside if the candidate needs fitting.
   */
  score(candidate: C, data: D, index: number): number | ArrayLike<number>;
  /** The mechanism; build it with the threshold, noise, budget and rng you want. It keeps its state. */
  thresholdout: Thresholdout;
  /** Higher is better (`'maximize'`, default: accuracy) or lower is better (`'minimize'`: a loss in [0, 1]). */
  direction?: 'maximize' | 'minimize';
  /** Query ids for the audit record; default `candidate <index>`. */
  id?(candidate: C, index: number): string | number;
}

export interface ThresholdoutSelection<C> {
  /** The candidate with the best reported score, or null when none was answered. */
  best: C | null;
  bestIndex: number;
  bestScore: number | null;
  /** Reported (Thresholdout) score per candidate; null = not answered (budget exhausted before or at it). */
  scores: (number | null)[];
  /** Training-set score per candidate (NaN where the loop stopped before scoring it). */
  trainScores: number[];
  /** Candidates scored before the loop stopped. */
  evaluated: number;
  /** Whether the budget ran out during the loop. */
  exhausted: boolean;
  budgetLeft: number;
}

/**
 * Model selection through the reusable holdout: each candidate's holdout score is one Thresholdout query
 * (its train score against its holdout score), so the selection loop can look at the holdout many times
 * without overfitting it (Dwork et al., Science 2015; the grid-search use asked for in Dwork et al., "The reusable holdout", Science 2015).
 * The loop stops scoring once the budget is spent; the remaining candidates get null scores. Ties keep the
 * earlier candidate.
 */
export function selectWithThresholdout<C, D>(options: ThresholdoutSelectionOptions<C, D>): ThresholdoutSelection<C> {
  const { candidates, train, holdout, score, thresholdout } = options;
  const count = checkArrayLike('candidates', candidates);
  if (count === 0) throw new UnbiasedError('BAD_INPUT', 'candidates must not be empty', { field: 'candidates' });
  if (typeof score !== 'function') {
    throw new UnbiasedError('INVALID_ARGUMENT', `score must be a function; got ${describeValue(score)}`, { field: 'score' });
  }
  const direction = checkChoice('direction', options.direction, ['maximize', 'minimize'] as const, 'maximize');
  const scores: (number | null)[] = new Array(count).fill(null);
  const trainScores: number[] = new Array(count).fill(Number.NaN);
  let evaluated = 0;
  let bestIndex = -1;
  let bestScore: number | null = null;
  for (let index = 0; index < count; index++) {
    if (thresholdout.exhausted) break;
    const candidate = candidates[index] as C;
    const id = options.id ? options.id(candidate, index) : `candidate ${index}`;
    const trainScore = score(candidate, train, index);
    const holdoutScore = score(candidate, holdout, index);
    let reported: number | null;
    if (typeof trainScore === 'number' && typeof holdoutScore === 'number') {
      reported = thresholdout.answer(trainScore, holdoutScore, id);
      trainScores[index] = trainScore;
    } else if (typeof trainScore !== 'number' && typeof holdoutScore !== 'number') {
      reported = thresholdout.answerValues(trainScore, holdoutScore, id);
      let sum = 0;
      for (let i = 0; i < trainScore.length; i++) sum += trainScore[i] as number;
      trainScores[index] = sum / trainScore.length;
    } else {
      throw new UnbiasedError('BAD_INPUT', `score must return a number on both sets or per-row values on both sets (candidate ${index})`, {
        field: 'score',
      });
    }
    evaluated++;
    scores[index] = reported;
    if (reported === null) continue;
    const better = bestScore === null || (direction === 'maximize' ? reported > bestScore : reported < bestScore);
    if (better) {
      bestScore = reported;
      bestIndex = index;
    }
  }
  return {
    best: bestIndex >= 0 ? (candidates[bestIndex] as C) : null,
    bestIndex,
    bestScore,
    scores,
    trainScores,
    evaluated,
    exhausted: thresholdout.exhausted,
    budgetLeft: thresholdout.budgetLeft,
  };
}

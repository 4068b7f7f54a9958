/**
 * Click simulation over displayed lists: rank by a score vector, cut at top-k, draw sessions.
 */
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { arrayLength, badInput, integerOption, invalidArgument, toRng } from '../validate.js';
import type { ClickModel } from './types.js';

/** What to do with a session without any click: keep it, drop it, or redraw it (DLA's original simulator). */
export type ZeroClickRule = 'keep' | 'drop' | 'resample';

export interface DisplayOptions {
  /** Show only the first `topK` documents; default: all. */
  topK?: number;
}

export interface SimulateClicksOptions extends DisplayOptions {
  /** Random generator, or an integer seed. Required. */
  rng: Rng | number;
  /** Scores that order the candidates for display (descending; ties by index). Default: the given order. */
  scores?: ArrayLike<number>;
  /** Number of sessions to draw; default 1. */
  sessions?: number;
  /**
   * Sessions without any click: `'keep'` (default), `'drop'` (ULTRA's `check_validation`) or
   * `'resample'` (DLA's original: redraw until a click, at most `maxAttempts` times per session).
   */
  zeroClick?: ZeroClickRule;
  /** Draws per session under `'resample'` before `ZERO_CLICK_RESAMPLE` is thrown; default 1000. */
  maxAttempts?: number;
}

/** Sessions on one displayed list. */
export interface SimulatedClicks {
  /** Candidate indices in displayed order (rank 1 first), length `listSize`. */
  displayed: Int32Array;
  /** Labels of the displayed documents, in displayed order. */
  relevance: Float64Array;
  /** Clicks, row-major `sessions × listSize`: `clicks[s * listSize + i]` is the click of session s at rank i + 1. */
  clicks: Uint8Array;
  /** Sessions returned (after dropping zero-click sessions under `'drop'`). */
  sessions: number;
  listSize: number;
  /** Zero-click sessions dropped (`'drop'`) or redrawn (`'resample'`); 0 under `'keep'`. */
  zeroClickSessions: number;
}

/**
 * Display order: candidate indices sorted by `scores` descending, ties broken by lower index first
 * (stable), cut at `topK`. NaN scores are `BAD_INPUT`.
 */
export function displayOrder(scores: ArrayLike<number>, options: DisplayOptions = {}): Int32Array {
  const n = arrayLength('scores', scores);
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (typeof s !== 'number' || Number.isNaN(s)) badInput('scores', `scores[${i}] must be a number, not NaN; got ${String(s)}`);
  }
  const topK = integerOption('topK', options.topK, n, 1);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const sa = scores[a] as number;
    const sb = scores[b] as number;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
  return Int32Array.from(order.slice(0, Math.min(topK, n)));
}

/**
 * Draws `sessions` click vectors from `model` on one displayed list. Candidates are ordered by
 * `scores` (or kept in the given order) and cut at `topK`; `relevance` is indexed by candidate.
 * Each session uses `model.sample` with the given generator, so the result is a function of the seed.
 */
export function simulateClicks(model: ClickModel, relevance: ArrayLike<number>, options: SimulateClicksOptions): SimulatedClicks {
  if (options === null || typeof options !== 'object') invalidArgument('options', 'simulateClicks needs options with an rng');
  const rng = toRng('rng', options.rng);
  const n = arrayLength('relevance', relevance);
  let displayed: Int32Array;
  if (options.scores !== undefined) {
    if (arrayLength('scores', options.scores) !== n) {
      badInput('scores', `scores must have the same length as relevance; got ${options.scores.length} and ${n}`);
    }
    displayed = displayOrder(options.scores, { topK: options.topK });
  } else {
    const topK = integerOption('topK', options.topK, n, 1);
    displayed = Int32Array.from({ length: Math.min(topK, n) }, (_, i) => i);
  }
  const listSize = displayed.length;
  const shown = new Float64Array(listSize);
  for (let i = 0; i < listSize; i++) shown[i] = relevance[displayed[i] as number] as number;
  const sessions = integerOption('sessions', options.sessions, 1, 0);
  const rule = options.zeroClick ?? 'keep';
  if (rule !== 'keep' && rule !== 'drop' && rule !== 'resample') {
    invalidArgument('zeroClick', `zeroClick must be 'keep', 'drop' or 'resample'; got ${String(rule)}`);
  }
  const maxAttempts = integerOption('maxAttempts', options.maxAttempts, 1000, 1);
  const clicks = new Uint8Array(sessions * listSize);
  let kept = 0;
  let zeroClickSessions = 0;
  for (let s = 0; s < sessions; s++) {
    let attempts = 0;
    for (;;) {
      const session = model.sample(shown, rng);
      let any = false;
      for (let i = 0; i < listSize; i++) if (session[i] === 1) any = true;
      if (any || rule === 'keep') {
        clicks.set(session, kept * listSize);
        kept++;
        break;
      }
      zeroClickSessions++;
      if (rule === 'drop') break;
      if (++attempts >= maxAttempts) {
        throw new UnbiasedError(
          'ZERO_CLICK_RESAMPLE',
          `zeroClick 'resample': no click in ${maxAttempts} draws of session ${s} (list of ${listSize}; click probabilities may all be 0)`,
          { field: 'zeroClick' },
        );
      }
    }
  }
  return { displayed, relevance: shown, clicks: clicks.slice(0, kept * listSize), sessions: kept, listSize, zeroClickSessions };
}

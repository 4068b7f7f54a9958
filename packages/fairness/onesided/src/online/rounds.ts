import { checkArrayLike, UnbiasedError } from '@unbiased/core/errors';
import { checkLabel } from '../validate.js';

/** One round of the online problem: k individuals' contexts and their true labels (the learner sees labels one-sidedly). */
export interface OneSidedRound {
  contexts: readonly ArrayLike<number>[];
  labels: ArrayLike<number>;
}

/** Checks a round's labels: one 0/1 label per individual (`SHAPE_MISMATCH` / `BAD_INPUT` naming `rounds[t].labels`). */
export function checkRoundLabels(round: OneSidedRound, t: number): void {
  const field = `rounds[${t}].labels`;
  const n = checkArrayLike(field, round.labels);
  if (n !== round.contexts.length) {
    throw new UnbiasedError('SHAPE_MISMATCH', `${field} must have ${round.contexts.length} entries (one per individual); got ${n}`, { field });
  }
  for (let i = 0; i < n; i++) checkLabel(`${field}[${i}]`, round.labels[i]);
}

import { describe, it } from 'vitest';
import { accuracy, accuracyFromScores } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

describe('accuracy', () => {
  it('binary and multiclass', () => {
    // matches at positions 0, 2, 3 -> 3/4
    expectClose(accuracy([0, 1, 2, 1], [0, 2, 2, 1]), 0.75);
    expectClose(accuracy(Uint8Array.from([1, 0, 1]), Int32Array.from([1, 1, 1])), 2 / 3);
  });
  it('bad input names the argument', () => {
    expectUnbiasedError(() => accuracy([], []), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => accuracy([1, 0], [1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => accuracy([0.5], [1]), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => accuracy([1], [-1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => accuracy([Number.NaN], [1]), 'BAD_INPUT', 'predictions');
  });
});

describe('accuracyFromScores', () => {
  it('threshold 0.5 by default, strict >', () => {
    // predictions [0.7 > 0.5, 0.5 > 0.5, 0.2 > 0.5, 0.51 > 0.5] = [1, 0, 0, 1] vs labels [1, 1, 0, 0]
    // correct at 0 and 2 -> 2/4 = 0.5
    expectClose(accuracyFromScores([0.7, 0.5, 0.2, 0.51], [1, 1, 0, 0]), 0.5);
  });
  it('threshold 0 for logits', () => {
    // [-1 > 0, 2 > 0, 0 > 0] = [0, 1, 0] vs [0, 1, 0] -> 1
    expectClose(accuracyFromScores([-1, 2, 0], [0, 1, 0], { threshold: 0 }), 1);
    // -inf / +inf scores are ordered normally: [0, 1] vs [0, 0] -> 1/2
    expectClose(accuracyFromScores([-Infinity, Infinity], [0, 0], { threshold: 0 }), 0.5);
  });
  it('bad input names the argument', () => {
    expectUnbiasedError(() => accuracyFromScores([], []), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => accuracyFromScores([0.2], [2]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => accuracyFromScores([Number.NaN], [1]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => accuracyFromScores([0.2, 0.3], [1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => accuracyFromScores([0.2], [1], { threshold: Number.NaN }), 'INVALID_ARGUMENT', 'threshold');
  });
});

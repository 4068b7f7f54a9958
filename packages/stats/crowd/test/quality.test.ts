import { describe, expect, it } from 'vitest';
import { attemptsCheck, combineQualityChecks, createJudgmentTable, goldCheck, type Judgment, likertScale, timeCheck } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

const scale = likertScale(-2, 2);
const judgments: Judgment[] = [
  // good: true gold above false gold
  { unit: 'GOLD-true', worker: 'good', value: 2 },
  { unit: 'GOLD-false', worker: 'good', value: -2 },
  // tie: not strictly above
  { unit: 'GOLD-true', worker: 'tie', value: 0 },
  { unit: 'GOLD-false', worker: 'tie', value: 0 },
  // reversed
  { unit: 'GOLD-true', worker: 'reversed', value: -1 },
  { unit: 'GOLD-false', worker: 'reversed', value: 1 },
  // missing the false gold
  { unit: 'GOLD-true', worker: 'partial', value: 2 },
  { unit: 's1', worker: 'partial', value: 1 },
];

describe('goldCheck', () => {
  it('passes only workers who rate the true gold strictly above the false gold', () => {
    const table = createJudgmentTable(judgments, { scale });
    const result = goldCheck(table, { pairs: [{ higher: 'GOLD-true', lower: 'GOLD-false' }] });
    expect(result.passed).toEqual(['good']);
    expect(result.failed.map((f) => f.worker)).toEqual(['tie', 'reversed', 'partial']);
    expect(result.failed[0]?.reason).toContain('not above');
    expect(result.failed[2]?.reason).toContain('no rating of gold unit "GOLD-false"');
  });

  it('bad options', () => {
    const table = createJudgmentTable(judgments, { scale });
    expectUnbiasedError(() => goldCheck(table, { pairs: [] }), 'INVALID_ARGUMENT', 'pairs');
    expectUnbiasedError(() => goldCheck(table, { pairs: [{ higher: 'GOLD-x', lower: 'GOLD-false' }] }), 'UNKNOWN_UNIT', 'pairs[0].higher');
    expectUnbiasedError(() => goldCheck(table, { pairs: [{ higher: 'GOLD-true', lower: 'GOLD-true' }] }), 'INVALID_ARGUMENT', 'pairs[0]');
    const twoDims = createJudgmentTable([...judgments, { unit: 's1', worker: 'good', dimension: 'tone', value: 0 }], { scale });
    expectUnbiasedError(() => goldCheck(twoDims, { pairs: [{ higher: 'GOLD-true', lower: 'GOLD-false' }] }), 'INVALID_ARGUMENT', 'dimension');
    expect(goldCheck(twoDims, { pairs: [{ higher: 'GOLD-true', lower: 'GOLD-false' }], dimension: 'overall' }).passed).toEqual(['good']);
  });
});

describe('timeCheck / attemptsCheck / combineQualityChecks', () => {
  it('time: any document under 2 s fails the worker', () => {
    const result = timeCheck([
      { worker: 'a', unit: 's1', seconds: 2 },
      { worker: 'a', unit: 's2', seconds: 30 },
      { worker: 'b', unit: 's1', seconds: 1.5 },
    ]);
    expect(result.passed).toEqual(['a']);
    expect(result.failed).toEqual([{ worker: 'b', reason: '1.5 s on "s1" (< 2 s)' }]);
    expect(timeCheck([{ worker: 'b', unit: 's1', seconds: 1.5 }], { minSeconds: 1 }).passed).toEqual(['b']);
    expectUnbiasedError(() => timeCheck([{ worker: 'a', unit: 's', seconds: -1 }]), 'BAD_INPUT', 'timings[0].seconds');
    expectUnbiasedError(() => timeCheck([], { minSeconds: Number.NaN }), 'INVALID_ARGUMENT', 'minSeconds');
  });

  it('attempts: more than allowedTries (10) fails', () => {
    const result = attemptsCheck([
      { worker: 'a', attempts: 10 },
      { worker: 'b', attempts: 11 },
    ]);
    expect(result.passed).toEqual(['a']);
    expect(result.failed[0]?.worker).toBe('b');
    expectUnbiasedError(() => attemptsCheck([{ worker: 'a', attempts: 0 }]), 'BAD_INPUT', 'attempts[0].attempts');
    expectUnbiasedError(() => attemptsCheck([], { allowedTries: 0 }), 'INVALID_ARGUMENT', 'allowedTries');
  });

  it('combine: a worker passes when no check failed them, reasons are kept per check', () => {
    const report = combineQualityChecks(
      ['a', 'b', 'c'],
      [
        { check: 'gold', passed: ['a', 'c'], failed: [{ worker: 'b', reason: 'x' }] },
        { check: 'time', passed: ['a'], failed: [{ worker: 'b', reason: 'y' }, { worker: 'c', reason: 'z' }] },
      ],
    );
    expect(report.passedWorkers).toEqual(['a']);
    expect(report.failedWorkers).toEqual([
      { worker: 'b', reasons: ['gold: x', 'time: y'] },
      { worker: 'c', reasons: ['time: z'] },
    ]);
  });
});

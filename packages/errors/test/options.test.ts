import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectUnbiasedError } from '../../../tooling/vitest/assert.js';
import {
  checkArrayLike,
  checkDecay,
  checkFiniteArray,
  checkInteger,
  checkInterval,
  checkLength,
  checkNonNegative,
  checkNumber,
  checkOptionalInteger,
  checkOptionalNumber,
  checkOptions,
  checkPositive,
  checkPositiveInteger,
  checkProbability,
  checkSameLength,
  checkScalarOrSchedule,
  checkSeed,
  describeValue,
  isUnbiasedError,
} from '../src/index.js';

describe('numeric options', () => {
  it('checkNumber accepts finite numbers in the bounds and returns them unchanged', () => {
    expect(checkNumber('x', 0.5, { min: 0, max: 1 })).toBe(0.5);
    expect(checkNumber('x', 0, { min: 0 })).toBe(0);
    expect(checkNumber('x', -3)).toBe(-3);
  });

  it('checkNumber rejects NaN, ±Infinity, non-numbers and values outside the bounds, naming the interval', () => {
    for (const bad of [Number.NaN, Infinity, -Infinity, '1', null, undefined, 1n]) expectUnbiasedError(() => checkNumber('lr', bad), 'INVALID_HYPERPARAMETER', 'lr');
    expectUnbiasedError(() => checkNumber('b1', 1, { min: 0, max: 1, maxInclusive: false }), 'INVALID_HYPERPARAMETER', 'b1', '[0, 1)');
    expectUnbiasedError(() => checkNumber('t', 0, { min: 0, minInclusive: false }), 'INVALID_HYPERPARAMETER', 't', '(0, inf)');
    expectUnbiasedError(() => checkNumber('k', -1, { min: 0, code: 'INVALID_ARGUMENT' }), 'INVALID_ARGUMENT', 'k');
  });

  it('checkOptionalNumber returns the fallback only for undefined', () => {
    expect(checkOptionalNumber('eps', undefined, 1e-8, { min: 0 })).toBe(1e-8);
    expect(checkOptionalNumber('eps', 0.25, 1e-8, { min: 0 })).toBe(0.25);
    expectUnbiasedError(() => checkOptionalNumber('eps', null, 1e-8), 'INVALID_HYPERPARAMETER', 'eps');
    expectUnbiasedError(() => checkOptionalNumber('eps', -1, 1e-8, { min: 0 }), 'INVALID_HYPERPARAMETER', 'eps');
  });

  it('checkNonNegative, checkPositive, checkDecay and checkProbability draw their boundaries where documented', () => {
    expect(checkNonNegative('wd', 0)).toBe(0);
    expectUnbiasedError(() => checkNonNegative('wd', -1e-300), 'INVALID_HYPERPARAMETER', 'wd');
    expect(checkPositive('t', 1e-300)).toBe(1e-300);
    expectUnbiasedError(() => checkPositive('t', 0), 'INVALID_HYPERPARAMETER', 't');
    expectUnbiasedError(() => checkPositive('t', 0, 'INVALID_ARGUMENT'), 'INVALID_ARGUMENT', 't');
    expect(checkDecay('b2', 0)).toBe(0);
    expect(checkDecay('b2', 0.999)).toBe(0.999);
    expectUnbiasedError(() => checkDecay('b2', 1), 'INVALID_HYPERPARAMETER', 'b2');
    expectUnbiasedError(() => checkDecay('b2', -0.1), 'INVALID_HYPERPARAMETER', 'b2');
    expect(checkProbability('p', 0)).toBe(0);
    expect(checkProbability('p', 1)).toBe(1);
    expectUnbiasedError(() => checkProbability('p', 0, { open: true }), 'INVALID_HYPERPARAMETER', 'p');
    expectUnbiasedError(() => checkProbability('p', 1, { open: true }), 'INVALID_HYPERPARAMETER', 'p');
    expectUnbiasedError(() => checkProbability('p', 1.5), 'INVALID_HYPERPARAMETER', 'p');
  });

  it('property: checkDecay accepts exactly the finite numbers in [0, 1)', () => {
    fc.assert(
      fc.property(fc.double(), (x) => {
        const valid = Number.isFinite(x) && x >= 0 && x < 1;
        let threw = false;
        try {
          checkDecay('decay', x);
        } catch (error) {
          threw = isUnbiasedError(error, 'INVALID_HYPERPARAMETER');
        }
        return threw === !valid;
      }),
      { seed: 20261206, numRuns: 500 },
    );
  });

  it('integers: checkInteger, checkPositiveInteger, checkOptionalInteger', () => {
    expect(checkInteger('n', -2, { min: -5, max: 5 })).toBe(-2);
    expectUnbiasedError(() => checkInteger('n', 2.5), 'INVALID_HYPERPARAMETER', 'n');
    expectUnbiasedError(() => checkInteger('n', 6, { max: 5 }), 'INVALID_HYPERPARAMETER', 'n');
    expectUnbiasedError(() => checkInteger('n', 6, { min: -5, max: 5 }), 'INVALID_HYPERPARAMETER', 'n', 'an integer in [-5, 5]; got 6');
    expectUnbiasedError(() => checkPositiveInteger('steps', 0), 'INVALID_HYPERPARAMETER', 'steps', 'an integer >= 1; got 0');
    expect(checkPositiveInteger('steps', 1)).toBe(1);
    expectUnbiasedError(() => checkPositiveInteger('steps', 0), 'INVALID_HYPERPARAMETER', 'steps');
    expectUnbiasedError(() => checkPositiveInteger('k', 0, 'INVALID_ARGUMENT'), 'INVALID_ARGUMENT', 'k');
    expect(checkOptionalInteger('epochs', undefined, 10, { min: 1 })).toBe(10);
    expect(checkOptionalInteger('epochs', 3, 10, { min: 1 })).toBe(3);
    expectUnbiasedError(() => checkOptionalInteger('epochs', '3', 10), 'INVALID_HYPERPARAMETER', 'epochs');
  });

  it('checkSeed accepts exactly the integers in [0, 2^32)', () => {
    expect(checkSeed('seed', 0)).toBe(0);
    expect(checkSeed('seed', 2 ** 32 - 1)).toBe(2 ** 32 - 1);
    for (const bad of [-1, 2 ** 32, 0.5, Number.NaN, '7']) expectUnbiasedError(() => checkSeed('seed', bad), 'INVALID_ARGUMENT', 'seed');
  });

  it('checkScalarOrSchedule checks a number now and passes a schedule through', () => {
    const schedule = (step: number) => 1 / (step + 1);
    expect(checkScalarOrSchedule('learningRate', schedule, { min: 0 })).toBe(schedule);
    expect(checkScalarOrSchedule('learningRate', 0.1, { min: 0 })).toBe(0.1);
    expectUnbiasedError(() => checkScalarOrSchedule('learningRate', -0.1, { min: 0 }), 'INVALID_HYPERPARAMETER', 'learningRate');
    expectUnbiasedError(() => checkScalarOrSchedule('learningRate', 'fast' as unknown as number), 'INVALID_HYPERPARAMETER', 'learningRate');
  });

  it('checkInterval: finite [min, max] with min < max, or the fallback', () => {
    expect(checkInterval('range', undefined, [0, 1])).toEqual([0, 1]);
    expect(checkInterval('range', [-2, 3], [0, 1])).toEqual([-2, 3]);
    for (const bad of [[1, 1], [2, 1], [0, Infinity], [0], 'x']) expectUnbiasedError(() => checkInterval('range', bad, [0, 1]), 'INVALID_HYPERPARAMETER', 'range');
  });
});

describe('arrays and the options object', () => {
  it('checkArrayLike returns the length of arrays and typed arrays and rejects the rest', () => {
    expect(checkArrayLike('x', [1, 2, 3])).toBe(3);
    expect(checkArrayLike('x', new Float32Array(4))).toBe(4);
    for (const bad of [null, undefined, 3, 'abc', { length: -1 }, { length: 1.5 }]) expectUnbiasedError(() => checkArrayLike('x', bad), 'BAD_INPUT', 'x');
  });

  it('checkLength and checkSameLength', () => {
    expect(checkLength('w', [1, 2], 2)).toBe(2);
    expectUnbiasedError(() => checkLength('w', [1, 2], 3, 'one per position'), 'SHAPE_MISMATCH', 'w', '3 entries (one per position); got 2');
    expect(checkSameLength('a', [1], 'b', new Float64Array(1))).toBe(1);
    expectUnbiasedError(() => checkSameLength('a', [1], 'b', [1, 2]), 'BAD_INPUT', 'b');
  });

  it('checkFiniteArray names the first offending index', () => {
    expect(checkFiniteArray('x', [0, -1.5, 1e300])).toBe(3);
    expectUnbiasedError(() => checkFiniteArray('x', [0, Number.NaN]), 'NON_FINITE', 'x', 'x[1]');
    expectUnbiasedError(() => checkFiniteArray('x', [0, 1, -Infinity]), 'NON_FINITE', 'x', 'x[2]');
    expectUnbiasedError(() => checkFiniteArray('x', [0, '1']), 'BAD_INPUT', 'x', 'x[1]');
  });

  it('checkOptions: undefined gives {}, objects pass, anything else is INVALID_ARGUMENT', () => {
    expect(checkOptions(undefined)).toEqual({});
    const options = { k: 3 };
    expect(checkOptions(options)).toBe(options);
    expectUnbiasedError(() => checkOptions(5 as unknown as object), 'INVALID_ARGUMENT', 'options');
    expectUnbiasedError(() => checkOptions(null as unknown as object), 'INVALID_ARGUMENT', 'options');
  });

  it('describeValue quotes strings and marks bigints', () => {
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(2n)).toBe('2n');
    expect(describeValue([1, 'b'])).toBe('[1, "b"]');
    expect(describeValue(undefined)).toBe('undefined');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJudgmentTable, filterJudgments, type Judgment, likertScale, ratingScale, tableToJudgments } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

const scale = likertScale(-2, 2);
const rows: Judgment[] = [
  { unit: 's1', worker: 'w1', dimension: 'correctness', value: 2 },
  { unit: 's1', worker: 'w2', dimension: 'correctness', value: 1 },
  { unit: 's2', worker: 'w1', dimension: 'correctness', value: -2 },
  { unit: 's2', worker: 'w2', dimension: 'correctness', value: -1 },
  { unit: 's1', worker: 'w1', dimension: 'neutrality', value: 0 },
  { unit: 's1', worker: 'w2', dimension: 'neutrality', value: 0 },
];

describe('createJudgmentTable', () => {
  it('builds columnar indices in order of first appearance', () => {
    const table = createJudgmentTable(rows, { scale });
    expect(table.size).toBe(6);
    expect(table.units).toEqual(['s1', 's2']);
    expect(table.workers).toEqual(['w1', 'w2']);
    expect(table.dimensions).toEqual(['correctness', 'neutrality']);
    expect(Array.from(table.unitIndex)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(Array.from(table.value)).toEqual([2, 1, -2, -1, 0, 0]);
    expect(table.diagnostics.warnings).toEqual([]);
  });

  it('defaults the dimension to "overall" and round-trips through tableToJudgments', () => {
    const table = createJudgmentTable([{ unit: 'a', worker: 'x', value: 1 }, { unit: 'a', worker: 'y', value: 2 }], { scale });
    expect(table.dimensions).toEqual(['overall']);
    expect(tableToJudgments(table)).toEqual([
      { unit: 'a', worker: 'x', dimension: 'overall', value: 1 },
      { unit: 'a', worker: 'y', dimension: 'overall', value: 2 },
    ]);
  });

  it('a unit with one judgment is a documented warning by default, an error on request', () => {
    const single = [...rows, { unit: 's3', worker: 'w1', dimension: 'correctness', value: 1 }];
    const table = createJudgmentTable(single, { scale });
    expect(table.diagnostics.warnings).toHaveLength(1);
    expect(table.diagnostics.warnings[0]).toMatchObject({ code: 'SINGLE_JUDGMENT_UNIT', unit: 's3', dimension: 'correctness' });
    expectUnbiasedError(() => createJudgmentTable(single, { scale, singleJudgmentUnits: 'error' }), 'SINGLE_JUDGMENT_UNIT', 'judgments[6].unit', 's3');
  });

  it('roster workers without judgments are reported', () => {
    const table = createJudgmentTable(rows, { scale, workers: ['w1', 'w2', 'w3'] });
    expect(table.diagnostics.warnings).toEqual([expect.objectContaining({ code: 'IDLE_WORKER', worker: 'w3' })]);
  });

  it('ratings outside the scale, unknown workers / dimensions and duplicates throw naming the row and field', () => {
    const bad = (patch: Partial<Judgment>) => rows.map((r, i) => (i === 3 ? { ...r, ...patch } : r));
    expectUnbiasedError(() => createJudgmentTable(bad({ value: 3 }), { scale }), 'RATING_OUT_OF_SCALE', 'judgments[3].value', 'judgments[3].value');
    expectUnbiasedError(() => createJudgmentTable(bad({ value: 0.5 }), { scale }), 'RATING_OUT_OF_SCALE', 'judgments[3].value');
    expectUnbiasedError(() => createJudgmentTable(bad({ worker: 'w9' }), { scale, workers: ['w1', 'w2'] }), 'UNKNOWN_WORKER', 'judgments[3].worker', 'w9');
    expectUnbiasedError(
      () => createJudgmentTable(bad({ dimension: 'tone' }), { scale, dimensions: ['correctness', 'neutrality'] }),
      'UNKNOWN_DIMENSION',
      'judgments[3].dimension',
      'tone',
    );
    expectUnbiasedError(() => createJudgmentTable(bad({ worker: 'w1' }), { scale }), 'DUPLICATE_JUDGMENT', 'judgments[3].worker', 'judgments[2]');
  });

  it('no coercion: strings, NaN and empty ids are BAD_INPUT', () => {
    const bad = (patch: Record<string, unknown>) => rows.map((r, i) => (i === 1 ? ({ ...r, ...patch } as Judgment) : r));
    expectUnbiasedError(() => createJudgmentTable(bad({ value: '2' }), { scale }), 'BAD_INPUT', 'judgments[1].value');
    expectUnbiasedError(() => createJudgmentTable(bad({ value: Number.NaN }), { scale }), 'BAD_INPUT', 'judgments[1].value');
    expectUnbiasedError(() => createJudgmentTable(bad({ unit: '' }), { scale }), 'BAD_INPUT', 'judgments[1].unit');
    expectUnbiasedError(() => createJudgmentTable(bad({ worker: 7 }), { scale }), 'BAD_INPUT', 'judgments[1].worker');
    expectUnbiasedError(() => createJudgmentTable([null as never], { scale }), 'BAD_INPUT', 'judgments[0].unit');
    expectUnbiasedError(() => createJudgmentTable([], { scale }), 'BAD_INPUT', 'judgments');
    expectUnbiasedError(() => createJudgmentTable(rows, {} as never), 'INVALID_ARGUMENT', 'scale');
    expectUnbiasedError(() => createJudgmentTable(rows, { scale, singleJudgmentUnits: 'ignore' as never }), 'INVALID_ARGUMENT', 'singleJudgmentUnits');
    expectUnbiasedError(() => createJudgmentTable(rows, { scale, workers: ['w1', 'w1'] }), 'INVALID_ARGUMENT', 'workers');
  });

  it('scales are validated', () => {
    expectUnbiasedError(() => ratingScale([1]), 'INVALID_ARGUMENT', 'levels');
    expectUnbiasedError(() => ratingScale([1, 1, 2]), 'INVALID_ARGUMENT', 'levels');
    expectUnbiasedError(() => likertScale(2, 2), 'INVALID_ARGUMENT', 'max');
    expect(likertScale(-2, 2).levels).toEqual([-2, -1, 0, 1, 2]);
  });
});

describe('filterJudgments', () => {
  it('keeps and drops by worker, unit and dimension, and revalidates', () => {
    const table = createJudgmentTable(rows, { scale });
    const onlyW1 = filterJudgments(table, { workers: ['w1'] });
    expect(onlyW1.size).toBe(3);
    // every (unit, dimension) now has one judgment: each gets its warning
    expect(onlyW1.diagnostics.warnings.map((w) => w.code)).toEqual(['SINGLE_JUDGMENT_UNIT', 'SINGLE_JUDGMENT_UNIT', 'SINGLE_JUDGMENT_UNIT']);
    expect(filterJudgments(table, { excludeUnits: ['s2'], dimensions: ['neutrality'] }).size).toBe(2);
    expect(filterJudgments(table, { where: (j) => j.value > 0 }).size).toBe(2);
    expectUnbiasedError(() => filterJudgments(table, { units: ['nope'] }), 'BAD_INPUT', 'filter');
  });

  it('property: the kept rows are exactly the rows passing the predicate, in order', () => {
    const judgments = fc
      .uniqueArray(
        fc.record({ unit: fc.constantFrom('a', 'b', 'c'), worker: fc.constantFrom('x', 'y', 'z', 'q'), value: fc.integer({ min: -2, max: 2 }) }),
        { minLength: 1, maxLength: 12, selector: (j) => `${j.unit}/${j.worker}` },
      );
    fc.assert(
      fc.property(judgments, fc.integer({ min: -2, max: 2 }), (list, threshold) => {
        const table = createJudgmentTable(list, { scale });
        const expected = list.filter((j) => j.value >= threshold).map((j) => ({ ...j, dimension: 'overall' }));
        fc.pre(expected.length > 0);
        expect(tableToJudgments(filterJudgments(table, { where: (j) => j.value >= threshold }))).toEqual(expected);
      }),
    );
  });
});

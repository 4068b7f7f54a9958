import { describe, expect, it } from 'vitest';
import { likertScale, parseCsvRecords, parseJudgmentsCsv, tableToJudgments } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

const scale = likertScale(-2, 2);

describe('parseCsvRecords', () => {
  it('quotes, doubled quotes, commas and newlines inside quotes, CRLF, BOM, blank lines', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n\r\n"multi\nline",2\n';
    expect(parseCsvRecords(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 4, fields: ['multi\nline', '2'] },
    ]);
  });
  it('syntax errors name the line', () => {
    expect(expectUnbiasedError(() => parseCsvRecords('a,b\n1,"2\n3,4\n'), 'BAD_CSV', 'text', 'line 2').line).toBe(2);
    expect(expectUnbiasedError(() => parseCsvRecords('a,b\n1,2"x\n'), 'BAD_CSV', 'text', 'line 2').line).toBe(2);
    expect(expectUnbiasedError(() => parseCsvRecords('a,b\n1,"2"x\n'), 'BAD_CSV', 'text', 'line 2').line).toBe(2);
  });
});

describe('parseJudgmentsCsv', () => {
  it('long format with the default column names', () => {
    const table = parseJudgmentsCsv('unit,worker,dimension,value\ns1,w1,overall,2\ns1,w2,overall,-1\n', { scale });
    expect(tableToJudgments(table)).toEqual([
      { unit: 's1', worker: 'w1', dimension: 'overall', value: 2 },
      { unit: 's1', worker: 'w2', dimension: 'overall', value: -1 },
    ]);
  });

  it('wide format: one column per dimension; renamed id columns', () => {
    const text = 'statement,worker_id,correctness,neutrality\ns1,w1,2,1\ns1,w2,1,\n';
    const table = parseJudgmentsCsv(text, {
      scale,
      columns: { unit: 'statement', worker: 'worker_id' },
      dimensionColumns: ['correctness', 'neutrality'],
      missingCells: 'skip',
    });
    expect(table.dimensions).toEqual(['correctness', 'neutrality']);
    expect(table.size).toBe(3);
    expect(table.diagnostics.warnings).toEqual([expect.objectContaining({ code: 'SINGLE_JUDGMENT_UNIT', dimension: 'neutrality' })]);
  });

  it('errors carry the line number (header = line 1) and the column', () => {
    const header = 'unit,worker,dimension,value\n';
    expect(expectUnbiasedError(() => parseJudgmentsCsv(`${header}s1,w1,overall,2\ns1,w2,overall,two\n`, { scale }), 'BAD_CSV', 'value', 'line 3').line).toBe(3);
    expect(expectUnbiasedError(() => parseJudgmentsCsv(`${header}s1,w1,overall,2\ns1,w2,overall\n`, { scale }), 'BAD_CSV', 'text', 'expected 4 fields').line).toBe(3);
    expect(expectUnbiasedError(() => parseJudgmentsCsv(`${header}s1,w1,overall,\n`, { scale }), 'BAD_CSV', 'value', 'column "value" is empty').line).toBe(2);
    expect(expectUnbiasedError(() => parseJudgmentsCsv('unit,worker,val\ns1,w1,2\n', { scale }), 'BAD_CSV', 'text', 'no column "value"').line).toBe(1);
    expect(expectUnbiasedError(() => parseJudgmentsCsv('', { scale }), 'BAD_CSV', 'text', 'no header').line).toBe(1);
    expect(expectUnbiasedError(() => parseJudgmentsCsv('unit,unit,worker,value\n', { scale }), 'BAD_CSV', 'text', 'twice').line).toBe(1);
    // table validation keeps the CSV line: the rating 5 is on line 4
    const outOfScale = `${header}s1,w1,overall,2\ns1,w2,overall,1\ns2,w1,overall,5\n`;
    const located = expectUnbiasedError(() => parseJudgmentsCsv(outOfScale, { scale, file: 'crowd.csv' }), 'RATING_OUT_OF_SCALE', 'judgments[2].value', 'crowd.csv:4');
    expect(located.line).toBe(4);
    const duplicate = `${header}s1,w1,overall,2\ns1,w1,overall,1\n`;
    expect(expectUnbiasedError(() => parseJudgmentsCsv(duplicate, { scale }), 'DUPLICATE_JUDGMENT', 'judgments[1].worker', 'line 3').line).toBe(3);
    expect(expectUnbiasedError(() => parseJudgmentsCsv(`${header}s1,w9,overall,1\n`, { scale, workers: ['w1'] }), 'UNKNOWN_WORKER', 'judgments[0].worker', 'line 2').line).toBe(2);
    expectUnbiasedError(() => parseJudgmentsCsv(`${header}s1,w1,overall,1\n`, { scale, missingCells: 'zero' as never }), 'INVALID_ARGUMENT', 'missingCells');
  });
});

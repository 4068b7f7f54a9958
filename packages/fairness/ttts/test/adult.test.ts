import { describe, expect, it } from 'vitest';
import { isUnbiasedError } from '@unbiased/core/errors';
import { ADULT_HEADER, loadAdult, parseAdultCsv } from '../src/index.js';

const HEADER = ADULT_HEADER.join(',');
const ROW = '39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,United-States,<=50K';

function parseError(text: string): { code: string; line?: number; field?: string; file?: string } {
  try {
    parseAdultCsv(text, 'adult.csv');
  } catch (error) {
    if (isUnbiasedError(error)) return { code: error.code, line: error.line, field: error.field, file: error.file } as never;
    throw error;
  }
  throw new Error('expected a parse error');
}

describe('UCI Adult fixture', () => {
  it('has the row counts of the data README (32,561 rows; 24,720 <=50K; 21,790 Male)', async () => {
    const adult = await loadAdult();
    expect(adult.rows).toBe(32_561);
    expect(adult.income.length - adult.income.reduce((a, b) => a + b, 0)).toBe(24_720);
    expect(adult.sex.reduce((a, b) => a + b, 0)).toBe(21_790);
    // sum of fnlwgt from the data README
    expect(adult.numeric.fnlwgt.reduce((a, b) => a + b, 0)).toBe(6_179_373_392);
    // `?` counts, computed from the CSV with awk
    expect(adult.categorical.workclass.filter((v) => v === null).length).toBe(1836);
    expect(adult.categorical.occupation.filter((v) => v === null).length).toBe(1843);
    expect(adult.categorical.native_country.filter((v) => v === null).length).toBe(583);
  });
  it('parses a row', () => {
    const data = parseAdultCsv(`${HEADER}\n${ROW}\n\n`);
    expect(data.rows).toBe(1);
    expect(data.numeric.age[0]).toBe(39);
    expect(data.numeric.capital_gain[0]).toBe(2174);
    expect(data.categorical.workclass[0]).toBe('State-gov');
    expect([data.sex[0], data.income[0]]).toEqual([1, 0]);
    const missing = parseAdultCsv(`${HEADER}\n${ROW.replace('State-gov', '?').replace('<=50K', '>50K.')}`);
    expect(missing.categorical.workclass[0]).toBeNull();
    expect(missing.income[0]).toBe(1);
  });
  it('bad input: file, line and field', () => {
    expect(parseError('age,workclass\n')).toMatchObject({ code: 'BAD_INPUT', line: 1, field: 'header', file: 'adult.csv' });
    expect(parseError(`${HEADER}\n${ROW}\n${ROW.replace(',40,', ',forty,')}`)).toMatchObject({ code: 'BAD_INPUT', line: 3, field: 'hours_per_week' });
    expect(parseError(`${HEADER}\n${ROW.replace('Male', 'M')}`)).toMatchObject({ line: 2, field: 'sex' });
    expect(parseError(`${HEADER}\n${ROW.replace('<=50K', '50K')}`)).toMatchObject({ line: 2, field: 'income' });
    expect(parseError(`${HEADER}\n${ROW.replace('77516', '?')}`)).toMatchObject({ line: 2, field: 'fnlwgt' });
    expect(parseError(`${HEADER}\n${ROW},extra`)).toMatchObject({ line: 2, field: 'row' });
  });
  it('a missing file is an IO error naming it', async () => {
    await expect(loadAdult('/nonexistent/adult.csv.gz')).rejects.toMatchObject({ code: 'IO', file: '/nonexistent/adult.csv.gz' });
  });
});

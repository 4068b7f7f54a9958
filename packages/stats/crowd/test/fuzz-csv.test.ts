/**
 * Fuzzing the judgments CSV reader (issue 11): valid long-format tables are generated, mutated with
 * non-finite and non-decimal values, out-of-scale ratings, duplicate judgments, quoting, BOMs and random
 * characters, and judged by a validator written here. Invalid input must throw an UnbiasedError with file
 * and line; valid input must read back exactly. Fixed seed.
 */
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { likertScale, parseJudgmentsCsv, tableToJudgments } from '../src/index.js';
import { thrown } from '../../../../tooling/vitest/assert.js';

const SEED = 11_06;
const FILE = 'judgments.csv';
const scale = likertScale(-2, 2);
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

const valueToken = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('-2', '-1', '0', '1', '2', '2.0', '+1', '1e0', '-0', ' 1 ') },
  { weight: 2, arbitrary: fc.constantFrom('Infinity', '-Infinity', '1e400', 'NaN', '0x1', 'two', '', '1,5', '3', '0.5', '1e-400') },
);

describe('fuzz: parseJudgmentsCsv', () => {
  const row = fc.record({ unit: fc.integer({ min: 1, max: 3 }), worker: fc.integer({ min: 1, max: 3 }), value: valueToken, quoted: fc.boolean() });

  it('accepts exactly the valid tables and reads them back; every error names file and line', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.boolean(), fc.boolean(), (rows, bom, crlf) => {
        const header = 'unit,worker,dimension,value';
        const cell = (r: (typeof rows)[number]): string => (r.quoted ? `"${r.value.replace(/"/g, '""')}"` : r.value);
        const text = (bom ? '\ufeff' : '') + [header, ...rows.map((r) => `s${r.unit},w${r.worker},overall,${cell(r)}`)].join(crlf ? '\r\n' : '\n');
        // Validator: the syntax of every row first (line k + 2), then the table rules in row order.
        let verdict: { line: number; code: string } | null = null;
        if (rows.length === 0) verdict = { line: 1, code: 'BAD_CSV' };
        for (const [k, r] of rows.entries()) {
          // An unquoted comma splits the row into 5 fields: a field-count error on that line.
          const value = r.value.trim();
          if (verdict === null && (!DECIMAL.test(value) || !Number.isFinite(Number(value)) || (!r.quoted && r.value.includes(',')))) verdict = { line: k + 2, code: 'BAD_CSV' };
        }
        const seen = new Set<string>();
        for (const [k, r] of rows.entries()) {
          if (verdict !== null) break;
          const v = Number(r.value.trim());
          if (![-2, -1, 0, 1, 2].includes(v)) verdict = { line: k + 2, code: 'RATING_OUT_OF_SCALE' };
          else if (seen.has(`${r.unit}/${r.worker}`)) verdict = { line: k + 2, code: 'DUPLICATE_JUDGMENT' };
          seen.add(`${r.unit}/${r.worker}`);
        }
        let table: ReturnType<typeof parseJudgmentsCsv> | undefined;
        const error = thrown(() => {
          table = parseJudgmentsCsv(text, { scale, file: FILE });
        });
        if (verdict === null) {
          expect(error, `rejected valid input: ${String(error)}`).toBeUndefined();
          expect(tableToJudgments(table as ReturnType<typeof parseJudgmentsCsv>)).toEqual(
            rows.map((r) => ({ unit: `s${r.unit}`, worker: `w${r.worker}`, dimension: 'overall', value: Number(r.value.trim()) })),
          );
        } else {
          expect(isUnbiasedError(error), `not an UnbiasedError (or accepted): ${String(error)}`).toBe(true);
          expect(error).toMatchObject({ file: FILE, line: verdict.line, code: verdict.code });
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('random characters anywhere: accepted, or an UnbiasedError with file and line', () => {
    const noise = fc.string({ unit: fc.constantFrom(',', '"', '\n', '\r', 'x', '1', '-', '\ufeff', ' ', 'e'), minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 5 }), fc.nat(), noise, (rows, at, extra) => {
        const base = ['unit,worker,dimension,value', ...rows.map((r) => `s${r.unit},w${r.worker},overall,${r.value}`)].join('\n');
        const k = at % (base.length + 1);
        const text = base.slice(0, k) + extra + base.slice(k);
        let table: ReturnType<typeof parseJudgmentsCsv> | undefined;
        const error = thrown(() => {
          table = parseJudgmentsCsv(text, { scale, file: FILE });
        });
        if (error === undefined) {
          for (const j of tableToJudgments(table as ReturnType<typeof parseJudgmentsCsv>)) expect([-2, -1, 0, 1, 2]).toContain(j.value);
          return;
        }
        expect(isUnbiasedError(error), `not an UnbiasedError: ${String(error)}`).toBe(true);
        expect(error).toMatchObject({ file: FILE });
        expect(Number.isInteger((error as { line?: number }).line)).toBe(true);
      }),
      { seed: SEED + 1, numRuns: 2000 },
    );
  });

  it('regression: Infinity and 1e400 are BAD_CSV naming the column, not a rating', () => {
    for (const value of ['Infinity', '1e400']) {
      const error = thrown(() => parseJudgmentsCsv(`unit,worker,value\ns1,w1,1\ns1,w2,${value}\n`, { scale, file: FILE }));
      expect(error).toMatchObject({ code: 'BAD_CSV', file: FILE, line: 3, field: 'value' });
    }
  });
});

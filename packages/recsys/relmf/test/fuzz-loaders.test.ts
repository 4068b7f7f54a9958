/**
 * Fuzzing the dataset loaders (issue 11): valid rating files are generated, mutated with ids beyond the
 * int32 range, non-decimal integers, BOMs and random characters, and judged by a validator written here
 * from the format descriptions. Invalid input must throw an UnbiasedError with file and line; valid input
 * must read back exactly. Fixed seed, a few thousand cases per loader.
 */
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCoatMatrix, parseMovieLens100k, parseYahooR3 } from '../src/index.js';
import { thrown } from '../../../../tooling/vitest/assert.js';

const SEED = 11_06;
const FILE = 'ratings.txt';
const INT32_MAX = 2 ** 31 - 1;

/** Ids and ratings the issue lists, plus valid spellings. */
const BAD_INTEGER = ['2147483648', '2147483649', '4294967297', '99999999999999999999', '0x1F', '1e3', '3.0', '+5', 'Infinity', '', ' 7', '-1', '0', '٣'];
const idToken = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 50 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('2147483647', '007') }, { weight: 1, arbitrary: fc.constantFrom(...BAD_INTEGER) });
const ratingToken = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('6', '0', '4.0', '5e0', 'NaN', '-3', '') });
const noise = fc.option(fc.tuple(fc.nat(), fc.string({ unit: fc.constantFrom('\t', ' ', '\n', '\r', 'x', '-', '+', '.', 'e', '0', '9', '\ufeff', '\u00a0'), minLength: 1, maxLength: 3 })), { freq: 3 });

/** The validator's line split: a leading BOM dropped, one trailing CR per line dropped, blank lines skipped. */
function dataLines(text: string): { line: number; text: string }[] {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  return body
    .split('\n')
    .map((t, k) => ({ line: k + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }))
    .filter((l) => l.text.trim() !== '');
}

function integerIn(token: string, min: number, max: number): boolean {
  return /^-?[0-9]+$/.test(token) && Number(token) >= min && Number(token) <= max;
}

type Verdict<T> = { ok: true; value: T } | { ok: false; line: number };

function validateTabRatings(text: string, columns: number): Verdict<{ users: number[]; items: number[]; ratings: number[]; numUsers: number; numItems: number }> {
  const lines = dataLines(text);
  if (lines.length === 0) return { ok: false, line: 1 };
  const out = { users: [] as number[], items: [] as number[], ratings: [] as number[], numUsers: 0, numItems: 0 };
  for (const { line, text: t } of lines) {
    const f = t.split('\t');
    if (f.length !== columns) return { ok: false, line };
    const [u, i, r, time] = f as [string, string, string, string];
    if (!integerIn(u, 1, INT32_MAX) || !integerIn(i, 1, INT32_MAX) || !integerIn(r, 1, 5)) return { ok: false, line };
    if (columns === 4 && !integerIn(time, 0, Number.MAX_SAFE_INTEGER)) return { ok: false, line };
    out.users.push(Number(u) - 1);
    out.items.push(Number(i) - 1);
    out.ratings.push(Number(r));
    out.numUsers = Math.max(out.numUsers, Number(u));
    out.numItems = Math.max(out.numItems, Number(i));
  }
  return { ok: true, value: out };
}

function insert(text: string, at: [number, string] | null): string {
  if (at === null) return text;
  const k = at[0] % (text.length + 1);
  return text.slice(0, k) + at[1] + text.slice(k);
}

function checkAgainst<T>(verdict: Verdict<T>, run: () => unknown, compare: (value: unknown, expected: T) => void): void {
  let value: unknown;
  const error = thrown(() => {
    value = run();
  });
  if (verdict.ok) {
    expect(error, `rejected valid input: ${String(error)}`).toBeUndefined();
    compare(value, verdict.value);
  } else {
    expect(error, 'accepted invalid input').toBeDefined();
    expect(isUnbiasedError(error), `not an UnbiasedError: ${String(error)}`).toBe(true);
    expect(error).toMatchObject({ file: FILE, line: verdict.line });
  }
}

describe('fuzz: Yahoo! R3 and MovieLens u.data', () => {
  const row = fc.tuple(idToken, idToken, ratingToken, fc.oneof(fc.nat().map(String), fc.constantFrom('1e9', '-5', '9007199254740993')));

  for (const [name, columns, parse] of [
    ['parseYahooR3', 3, parseYahooR3],
    ['parseMovieLens100k', 4, parseMovieLens100k],
  ] as const) {
    it(`${name}: accepts exactly the valid files and reads them back`, () => {
      fc.assert(
        fc.property(fc.array(row, { maxLength: 8 }), fc.boolean(), fc.boolean(), noise, (rows, bom, crlf, extra) => {
          const body = rows.map((r) => r.slice(0, columns).join('\t')).join(crlf ? '\r\n' : '\n');
          const text = insert((bom ? '\ufeff' : '') + body, extra);
          checkAgainst(
            validateTabRatings(text, columns),
            () => parse(text, { file: FILE }),
            (value, expected) => {
              const data = value as { users: Int32Array; items: Int32Array; ratings: Float32Array; numUsers: number; numItems: number };
              expect(Array.from(data.users)).toEqual(expected.users);
              expect(Array.from(data.items)).toEqual(expected.items);
              expect(Array.from(data.ratings)).toEqual(expected.ratings);
              expect([data.numUsers, data.numItems]).toEqual([expected.numUsers, expected.numItems]);
            },
          );
        }),
        { seed: SEED, numRuns: 3000 },
      );
    });
  }
});

describe('fuzz: Coat matrices', () => {
  const cell = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 5 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('6', '-1', '1.0', '0x1', '1e0', 'NaN', '4294967297') });

  it('accepts exactly rectangular matrices of integers 0-5 and reads the non-zero entries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 5 }), fc.boolean(), noise, (width, rows, bom, extra) => {
        const text = insert((bom ? '\ufeff' : '') + rows.map((r) => r.slice(0, width).join(' ')).join('\n'), extra);
        const lines = dataLines(text);
        let verdict: Verdict<{ users: number[]; items: number[]; ratings: number[] }>;
        if (lines.length === 0) verdict = { ok: false, line: 1 };
        else {
          const columns = (lines[0] as { text: string }).text.trim().split(/\s+/).length;
          const out = { users: [] as number[], items: [] as number[], ratings: [] as number[] };
          verdict = { ok: true, value: out };
          for (const [r, { line, text: t }] of lines.entries()) {
            const cells = t.trim().split(/\s+/);
            if (cells.length !== columns || !cells.every((c) => integerIn(c, 0, 5))) {
              verdict = { ok: false, line };
              break;
            }
            cells.forEach((c, i) => {
              if (Number(c) !== 0) {
                out.users.push(r);
                out.items.push(i);
                out.ratings.push(Number(c));
              }
            });
          }
        }
        checkAgainst(
          verdict,
          () => parseCoatMatrix(text, { file: FILE }),
          (value, expected) => {
            const data = value as { users: Int32Array; items: Int32Array; ratings: Float32Array };
            expect(Array.from(data.users)).toEqual(expected.users);
            expect(Array.from(data.items)).toEqual(expected.items);
            expect(Array.from(data.ratings)).toEqual(expected.ratings);
          },
        );
      }),
      { seed: SEED + 1, numRuns: 3000 },
    );
  });
});

describe('issue 11 regressions: Yahoo ids beyond int32', () => {
  it.each([
    ['2147483649', 'was user -2147483648'],
    ['4294967297', 'was user 0, colliding with user 1'],
  ])('user %s is rejected (%s)', (user) => {
    const error = thrown(() => parseYahooR3(`1\t1\t5\n${user}\t2\t4\n`, { file: 'train.txt' }));
    expect(isUnbiasedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BAD_YAHOO_R3_LINE', file: 'train.txt', line: 2, field: 'user' });
  });

  it('a UTF-8 BOM is stripped, not read into the first id', () => {
    const data = parseYahooR3('\ufeff3\t2\t5\n', { file: 'train.txt' });
    expect([data.users[0], data.items[0], data.ratings[0]]).toEqual([2, 1, 5]);
  });
});

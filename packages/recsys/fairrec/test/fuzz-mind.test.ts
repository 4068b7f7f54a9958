/**
 * Fuzzing the MIND readers and the user-attribute file (issue 11): valid files are generated, mutated with
 * BOMs, non-decimal and out-of-range classes, duplicate ids, wrong column counts and random characters, and
 * judged by a validator written here from the format description. Invalid input must reject with an
 * UnbiasedError carrying file and line; valid input must read back exactly. Fixed seed.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUnbiasedError } from '@unbiased/core/errors';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readMindBehaviors, readMindNews, readUserAttributes } from '../src/index.js';

const SEED = 11_06;
const FILE = 'users_attr.tsv';
const INT32_MAX = 2 ** 31 - 1;

const scratch = mkdtempSync(join(tmpdir(), 'fairrec-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

const noise = fc.option(fc.tuple(fc.nat(), fc.string({ unit: fc.constantFrom('\t', '\n', '\r', ' ', 'x', '0', '9', '\ufeff', '-', '.', 'e'), minLength: 1, maxLength: 3 })), { freq: 3 });

function insert(text: string, at: [number, string] | null): string {
  if (at === null) return text;
  const k = at[0] % (text.length + 1);
  return text.slice(0, k) + at[1] + text.slice(k);
}

/**
 * The validator's view of a MIND-style TSV: a leading BOM dropped, one trailing CR per line dropped, blank
 * lines allowed only at the end (an inner blank line is an error at its own line). Lines in file order.
 */
function tsvLines(text: string): { line: number; text: string; blank: boolean }[] {
  const all = (text.startsWith('\ufeff') ? text.slice(1) : text).split('\n').map((t) => (t.endsWith('\r') ? t.slice(0, -1) : t));
  let last = all.length - 1;
  while (last >= 0 && all[last] === '') last--;
  return all.slice(0, last + 1).map((t, k) => ({ line: k + 1, text: t, blank: t === '' }));
}

function expectRejected(got: { ok: boolean; error?: unknown }, file: string, line: number): void {
  expect(got.ok, 'accepted invalid input').toBe(false);
  expect(isUnbiasedError(got.error), `not an UnbiasedError: ${String(got.error)}`).toBe(true);
  expect(got.error).toMatchObject({ file, line });
}

describe('fuzz: readUserAttributes', () => {
  const classToken = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 4 }).map(String) },
    { weight: 1, arbitrary: fc.constantFrom(' 2 ', '007', '2147483647') },
    { weight: 2, arbitrary: fc.constantFrom('0x1F', '1e-400', '3.5e38', '1.0', '+1', '-1', '', 'Infinity', 'NaN', '2147483648', '1e3', '٣') },
  );
  const row = fc.tuple(fc.integer({ min: 1, max: 12 }).map((k) => `U${k}`), classToken);

  it('accepts exactly the valid files (decimal classes in range, unique users) and reads them back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 6 }), fc.boolean(), fc.option(fc.integer({ min: 1, max: 6 })), noise, async (rows, bom, classes, extra) => {
        const text = insert((bom ? '\ufeff' : '') + rows.map(([u, c]) => `${u}\t${c}`).join('\n') + (rows.length > 0 ? '\n' : ''), extra);
        const max = classes === null ? INT32_MAX : classes - 1;
        let expected: Map<string, number> | { line: number } = new Map();
          for (const { line, text: t, blank } of tsvLines(text)) {
            const cells = t.split('\t');
            const value = (cells[1] ?? '').trim();
            const ok = !blank && cells.length === 2 && (cells[0] as string).trim() !== '' && /^[0-9]+$/.test(value) && Number(value) <= max && !expected.has(cells[0] as string);
            if (!ok) {
              expected = { line };
              break;
            }
            expected.set(cells[0] as string, Number(value));
          }
        const got = await settle(readUserAttributes({ text, file: FILE }, classes === null ? {} : { classes }));
        if (expected instanceof Map) {
          expect(got.ok, got.ok ? '' : String(got.error)).toBe(true);
          if (got.ok) expect([...got.value]).toEqual([...expected]);
        } else expectRejected(got, FILE, expected.line);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });
});

describe('fuzz: readMindNews and readMindBehaviors', () => {
  const newsRow = fc.record({
    id: fc.integer({ min: 1, max: 8 }).map((k) => `N${k}`),
    entities: fc.constantFrom('[]', '', '[{"Label": "x"}]', '{}', '[', 'null'),
    columns: fc.constantFrom(8, 8, 8, 8, 7, 9),
  });

  it('news.tsv: unique ids, 8 columns, JSON-array entities; the BOM never enters the first id', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(newsRow, { maxLength: 5 }), fc.boolean(), noise, async (rows, bom, extra) => {
        const lines = rows.map((r) => [r.id, 'sports', 'nba', 'A title', '', 'https://x', r.entities, '[]', 'extra'].slice(0, r.columns).join('\t'));
        const text = insert((bom ? '\ufeff' : '') + lines.join('\n'), extra);
        let expected: string[] | { line: number } = [];
          for (const { line, text: t, blank } of tsvLines(text)) {
            const cells = t.split('\t');
            const entitiesOk = (cell: string): boolean => {
              if (cell.trim() === '') return true;
              try {
                return Array.isArray(JSON.parse(cell));
              } catch {
                return false;
              }
            };
            const ok =
              !blank &&
              cells.length === 8 &&
              (cells[0] as string).trim() !== '' &&
              (cells[1] as string).trim() !== '' &&
              entitiesOk(cells[6] as string) &&
              entitiesOk(cells[7] as string) &&
              !expected.includes(cells[0] as string);
            if (!ok) {
              expected = { line };
              break;
            }
            expected.push(cells[0] as string);
          }
        const got = await settle(readMindNews({ text, file: 'news.tsv' }));
        if (Array.isArray(expected)) {
          expect(got.ok, got.ok ? '' : String(got.error)).toBe(true);
          if (got.ok) expect(got.value.map((n) => n.id)).toEqual(expected);
        } else expectRejected(got, 'news.tsv', expected.line);
      }),
      { seed: SEED + 1, numRuns: 1500 },
    );
  });

  it('behaviors.tsv: every error is an UnbiasedError with file and line; labels are 0 or 1', async () => {
    const token = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.constantFrom('0', '1', '1', '2', '', '0x1', '1.0'));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(token, { minLength: 1, maxLength: 3 }), { maxLength: 4 }), fc.boolean(), noise, async (impressions, bom, extra) => {
        const lines = impressions.map((tokens, k) => `${k + 1}\tU${k}\t11/11/2019 9:05:58 AM\tN1 N2\t${tokens.map(([n, l]) => `N${n}-${l}`).join(' ')}`);
        const text = insert((bom ? '\ufeff' : '') + lines.join('\n'), extra);
        const got = await settle(readMindBehaviors({ text, file: 'behaviors.tsv' }));
        if (!got.ok) {
          expect(isUnbiasedError(got.error), `not an UnbiasedError: ${String(got.error)}`).toBe(true);
          expect(got.error).toMatchObject({ file: 'behaviors.tsv' });
          expect(Number.isInteger((got.error as { line?: number }).line)).toBe(true);
          if (extra === null) expect(impressions.some((tokens) => tokens.some(([, l]) => l !== '0' && l !== '1'))).toBe(true);
          return;
        }
        for (const impression of got.value) for (const label of impression.labels ?? []) expect(label === 0 || label === 1).toBe(true);
        if (extra === null) {
          expect(got.value.map((i) => i.labels)).toEqual(impressions.map((tokens) => tokens.map(([, l]) => Number(l))));
          expect(got.value[0]?.impressionId ?? '1').toBe('1');
        }
      }),
      { seed: SEED + 2, numRuns: 1500 },
    );
  });
});

describe('issue 11 regressions: MIND', () => {
  it('a UTF-8 BOM does not become part of the first id (news, behaviors, attributes)', async () => {
    const news = await readMindNews({ text: '\ufeffN1\tsports\tnba\tT\t\thttps://x\t[]\t[]\n', file: 'news.tsv' });
    expect(news[0]?.id).toBe('N1');
    const behaviors = await readMindBehaviors({ text: '\ufeff1\tU1\tt\tN1\tN1-1 N2-0\n', file: 'behaviors.tsv' });
    expect(behaviors[0]?.impressionId).toBe('1');
    const attributes = await readUserAttributes({ text: '\ufeffU1\t1\nU2\t0\n', file: FILE });
    expect([...attributes]).toEqual([
      ['U1', 1],
      ['U2', 0],
    ]);
  });

  it.each([
    ['0x1F', 'was read as 31'],
    ['1e-400', 'was read as 0'],
    ['3.5e38', 'was accepted as a class'],
  ])('attribute %s is rejected (%s)', async (value) => {
    const got = await settle(readUserAttributes({ text: `U1\t1\nU2\t${value}\n`, file: FILE }));
    expectRejected(got, FILE, 2);
    expect(got.ok ? null : got.error).toMatchObject({ code: 'BAD_MIND_LINE', field: 'attribute' });
  });

  it('read failures are IO: a 300-character name, a directory', async () => {
    const long = join(scratch, 'n'.repeat(300));
    const a = await settle(readMindNews(long));
    expect(a.ok ? null : a.error).toMatchObject({ code: 'IO', file: long });
    const dir = join(scratch, 'dir.tsv');
    mkdirSync(dir);
    const b = await settle(readUserAttributes(dir));
    expect(b.ok ? null : b.error).toMatchObject({ code: 'IO', file: dir });
  });
});

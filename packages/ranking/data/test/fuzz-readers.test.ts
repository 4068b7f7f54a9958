/**
 * Fuzzing the readers (issue: readers must never accept invalid input silently, and every error must be an
 * UnbiasedError with file and line). Valid records are generated, then mutated with the invalid tokens the
 * issue lists (non-finite and float32-overflowing numbers, duplicate feature ids, a document listed twice,
 * non-decimal syntax, BOMs) and random bytes. Validity is decided by a small validator written here, from
 * the format descriptions, not by the code under test. Fixed seed, a few thousand cases per reader.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { fromChunks, fromText, readBaiduAnnotations, readBaiduLogs, readSvmlight, readUltra, writeSvmlight } from '../src/index.js';

const SEED = 11_06;
const FILE = 'fuzz.txt';
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8');

// ---- the independent validator's pieces ----

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
/** Largest float32 plus half its last ulp: round-to-nearest sends anything at or above it to Infinity. */
const FLOAT32_LIMIT = (2 - 2 ** -23) * 2 ** 127 + 2 ** 103;

function finiteDecimal(token: string): boolean {
  return DECIMAL.test(token) && Math.abs(Number(token)) < Number.POSITIVE_INFINITY;
}
function float32Decimal(token: string): boolean {
  return DECIMAL.test(token) && Math.abs(Number(token)) < FLOAT32_LIMIT;
}
function hasDuplicate(values: readonly (string | number)[]): boolean {
  return new Set(values).size !== values.length;
}

/** Tokens that a numeric field must reject, and valid spellings it must read like Number(). */
const NON_FINITE = ['Infinity', '-Infinity', '+Infinity', 'NaN', '1e400', '-1e400', '0x1F', '1e', '1_0', 'abc', '.', '--1', '0b1'];
const FLOAT32_OVERFLOW = ['1e39', '-3.5e38', '3.5e38', '3.4028236e38'];
const VALID_NUMBER = ['0', '-0', '1', '2.5', '-3.75', '.5', '5.', '+1', '1e-400', '3.4028234e38', '-1.5e-7', '0.1', '1234567.125'];
const numberToken = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...VALID_NUMBER) },
  { weight: 4, arbitrary: fc.double({ min: -1e30, max: 1e30, noNaN: true }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom(...NON_FINITE) },
  { weight: 1, arbitrary: fc.constantFrom(...FLOAT32_OVERFLOW) },
);

interface Thrown {
  code: string;
  file?: string;
  line?: number;
  name?: string;
}

async function outcome<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: Thrown }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: error as Thrown };
  }
}

function expectLocatedUnbiasedError(error: Thrown, file: string): void {
  expect(error?.name, `not an UnbiasedError: ${String(error)}`).toBe('UnbiasedError');
  expect(error.file).toBe(file);
  expect(Number.isInteger(error.line) && (error.line as number) >= 1, `no line in ${JSON.stringify(error)}`).toBe(true);
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

// ---- SVMlight / LETOR ----

interface ExpectedQuery {
  qid: string;
  labels: number[];
  featureIds: number[][];
  values: number[][];
}

type SvmVerdict = { ok: true; queries: ExpectedQuery[]; skipped: number } | { ok: false; line: number };

/**
 * The SVMlight format, from its description: per line `<label> qid:<id> <fid>:<value> ... [# comment]`,
 * fields separated by spaces or tabs, blank and `#` lines ignored, a trailing CR and a leading BOM
 * dropped; labels finite decimals, ids decimal in [1, 2^31 - 1] once per line, values decimals that fit
 * float32; a query's lines consecutive. `skip`: malformed lines are left out (a reappearing qid is fatal).
 */
function validateSvmlight(bytes: Uint8Array, skip: boolean): SvmVerdict {
  const queries: ExpectedQuery[] = [];
  const seen = new Set<string>();
  let current: ExpectedQuery | null = null;
  let currentKey = '';
  let skipped = 0;
  let lineStart = 0;
  let lineNo = 0;
  while (lineStart < bytes.length) {
    let end = bytes.indexOf(10, lineStart);
    if (end < 0) end = bytes.length;
    lineNo++;
    let start = lineStart;
    lineStart = end + 1;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 13) stop--;
    if (lineNo === 1 && stop - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
    const raw = bytes.subarray(start, stop);
    const chars = String.fromCharCode(...raw);
    const trimmed = chars.replace(/^[ \t]+/, '');
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const tokens: string[] = [];
    for (const token of trimmed.split(/[ \t]+/)) {
      if (token === '') continue;
      if (token.startsWith('#')) break;
      tokens.push(token);
    }
    const parsed = ((): { key: string; qidBytes: Uint8Array; label: number; ids: number[]; values: number[] } | null => {
      if (tokens.length < 2 || !finiteDecimal(tokens[0] as string)) return null;
      const qidToken = tokens[1] as string;
      if (!qidToken.startsWith('qid:') || qidToken.length === 4) return null;
      const ids: number[] = [];
      const values: number[] = [];
      for (const token of tokens.slice(2)) {
        const colon = token.indexOf(':');
        if (colon < 0) return null;
        const id = token.slice(0, colon);
        const value = token.slice(colon + 1);
        if (!/^\d{1,10}$/.test(id) || Number(id) < 1 || Number(id) > 2147483647 || !float32Decimal(value)) return null;
        ids.push(Number(id));
        values.push(Math.fround(Number(value)));
      }
      if (hasDuplicate(ids)) return null;
      const qidBytes = Uint8Array.from(qidToken.slice(4), (c) => c.charCodeAt(0));
      return { key: qidToken.slice(4), qidBytes, label: Number(tokens[0]), ids, values };
    })();
    if (parsed === null) {
      if (!skip) return { ok: false, line: lineNo };
      skipped++;
      continue;
    }
    if (current === null || parsed.key !== currentKey) {
      if (seen.has(parsed.key)) return { ok: false, line: lineNo };
      seen.add(parsed.key);
      current = { qid: utf8.decode(parsed.qidBytes), labels: [], featureIds: [], values: [] };
      currentKey = parsed.key;
      queries.push(current);
    }
    current.labels.push(parsed.label);
    current.featureIds.push(parsed.ids);
    current.values.push(parsed.values);
  }
  return { ok: true, queries, skipped };
}

interface SvmLine {
  label: string;
  newQuery: boolean;
  features: [number, string][];
  comment: string | null;
  separator: string;
}

const svmLine: fc.Arbitrary<SvmLine> = fc.record({
  label: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '0.5', '-1') }, { weight: 1, arbitrary: numberToken }),
  newQuery: fc.boolean(),
  features: fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 40 }), numberToken), { maxLength: 5, selector: ([fid]) => fid }),
  comment: fc.option(fc.constantFrom('docid = 7', 'x', '#', 'a b')),
  separator: fc.constantFrom(' ', ' ', '\t', '  '),
});

type Mutation =
  | { kind: 'duplicateId'; line: number; pick: number }
  | { kind: 'bytes'; at: number; bytes: Uint8Array }
  | { kind: 'bom' }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'crlf' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('duplicateId' as const), line: fc.nat(), pick: fc.nat() }),
  fc.record({ kind: fc.constant('bytes' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('bom' as const) }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('crlf' as const) }),
);

function buildSvmlight(lines: SvmLine[], mutations: Mutation[]): Uint8Array {
  let qid = 1;
  const texts = lines.map((l) => {
    if (l.newQuery) qid++;
    const features = l.features.map(([fid, v]) => `${fid}:${v}`);
    return { qid, features, line: l };
  });
  for (const m of mutations) {
    if (m.kind === 'duplicateId' && texts.length > 0) {
      const t = texts[m.line % texts.length] as (typeof texts)[number];
      if (t.features.length > 0) {
        const [fid] = (t.features[m.pick % t.features.length] as string).split(':');
        t.features.push(`${fid}:0.25`);
      }
    }
    if (m.kind === 'swap' && texts.length > 1) {
      const a = m.a % texts.length;
      const b = m.b % texts.length;
      [texts[a], texts[b]] = [texts[b] as (typeof texts)[number], texts[a] as (typeof texts)[number]];
    }
  }
  const crlf = mutations.some((m) => m.kind === 'crlf');
  const body = texts
    .map(({ qid: q, features, line: l }) => [`${l.label}`, `qid:${q}`, ...features].join(l.separator) + (l.comment === null ? '' : ` # ${l.comment}`))
    .join(crlf ? '\r\n' : '\n');
  let bytes: Uint8Array = encoder.encode(body);
  for (const m of mutations) {
    if (m.kind === 'bytes') {
      const at = m.at % (bytes.length + 1);
      bytes = concatBytes([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    }
  }
  if (mutations.some((m) => m.kind === 'bom')) bytes = concatBytes([BOM, bytes]);
  return bytes;
}

function plainSparse(q: { qid: string; labels: Float64Array; features: { kind: string; rowOffsets?: Int32Array; featureIds?: Int32Array; values: Float32Array } }): ExpectedQuery {
  const f = q.features as { rowOffsets: Int32Array; featureIds: Int32Array; values: Float32Array };
  const featureIds: number[][] = [];
  const values: number[][] = [];
  for (let r = 0; r < q.labels.length; r++) {
    featureIds.push(Array.from(f.featureIds.subarray(f.rowOffsets[r], f.rowOffsets[r + 1])));
    values.push(Array.from(f.values.subarray(f.rowOffsets[r], f.rowOffsets[r + 1])));
  }
  return { qid: q.qid, labels: Array.from(q.labels), featureIds, values };
}

describe('fuzz: readSvmlight', () => {
  const input = fc.tuple(fc.array(svmLine, { maxLength: 8 }), fc.array(mutation, { maxLength: 3 }), fc.integer({ min: 1, max: 64 }));

  it('accepts exactly what the validator accepts, and reads it back exactly (throw mode)', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([lines, mutations, chunk]) => {
        const bytes = buildSvmlight(lines, mutations);
        const verdict = validateSvmlight(bytes, false);
        const got = await outcome(() => readSvmlight(fromChunks(bytes, chunk), { fileName: FILE }).collect());
        if (verdict.ok) {
          expect(got.ok, got.ok ? '' : `rejected valid input: ${JSON.stringify(got.error)}`).toBe(true);
          if (got.ok) expect(got.value.map(plainSparse)).toEqual(verdict.queries);
        } else {
          expect(got.ok, 'accepted invalid input').toBe(false);
          if (!got.ok) {
            expectLocatedUnbiasedError(got.error, FILE);
            expect(got.error.line).toBe(verdict.line);
          }
        }
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('what the reader accepts, writeSvmlight writes back and the reader reads again identically', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([lines, mutations]) => {
        const bytes = buildSvmlight(lines, mutations);
        const verdict = validateSvmlight(bytes, false);
        // Qids with bytes that are not UTF-8 (random bytes) cannot round-trip through a string; only check the others.
        if (!verdict.ok || verdict.queries.some((q) => q.qid.includes('\ufffd'))) return;
        const queries = await readSvmlight(fromChunks(bytes)).collect();
        let text = '';
        const sink = new Writable({
          write(chunk, _encoding, done) {
            text += String(chunk);
            done();
          },
        });
        await writeSvmlight(queries, sink);
        expect((await readSvmlight(fromText(text)).collect()).map(plainSparse)).toEqual(verdict.queries);
      }),
      { seed: SEED + 5, numRuns: 1000 },
    );
  });

  it("onError: 'skip' counts exactly the malformed lines and keeps the rest", async () => {
    await fc.assert(
      fc.asyncProperty(input, async ([lines, mutations, chunk]) => {
        const bytes = buildSvmlight(lines, mutations);
        const verdict = validateSvmlight(bytes, true);
        const reader = readSvmlight(fromChunks(bytes, chunk), { fileName: FILE, onError: 'skip' });
        const got = await outcome(() => reader.collect());
        if (verdict.ok) {
          expect(got.ok, got.ok ? '' : JSON.stringify(got.error)).toBe(true);
          if (got.ok) expect(got.value.map(plainSparse)).toEqual(verdict.queries);
          expect(reader.summary.skippedLines).toBe(verdict.skipped);
        } else {
          expect(got.ok).toBe(false);
          if (!got.ok) expectLocatedUnbiasedError(got.error, FILE);
        }
      }),
      { seed: SEED + 1, numRuns: 1000 },
    );
  });
});

// ---- ULTRA ----

describe('fuzz: readUltra', () => {
  const doc = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 30 }), numberToken), { maxLength: 4, selector: ([fid]) => fid });
  const query = fc.array(fc.record({ features: doc, label: numberToken }), { minLength: 1, maxLength: 4 });
  const ultraMutation = fc.oneof(
    fc.record({ kind: fc.constant('duplicateDoc' as const), query: fc.nat(), from: fc.nat(), to: fc.nat() }),
    fc.record({ kind: fc.constant('duplicateId' as const), row: fc.nat() }),
    fc.record({ kind: fc.constant('dropLabelLine' as const) }),
    fc.record({ kind: fc.constant('bom' as const), file: fc.constantFrom('feature', 'initList', 'labels') }),
  );

  it('rejects invalid values, repeated ids and documents, and length mismatches with file and line', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(query, { minLength: 1, maxLength: 4 }), fc.array(ultraMutation, { maxLength: 2 }), async (queries, mutations) => {
        const featureLines: string[] = [];
        const featureRows: { ids: number[]; values: string[] }[] = [];
        const lists: number[][] = [];
        queries.forEach((docs) => {
          lists.push(
            docs.map((d) => {
              featureRows.push({ ids: d.features.map(([f]) => f), values: d.features.map(([, v]) => v) });
              return featureRows.length - 1;
            }),
          );
        });
        let valid = true;
        let dropLabel = false;
        const boms = new Set<string>();
        for (const m of mutations) {
          if (m.kind === 'duplicateDoc') {
            const list = lists[m.query % lists.length] as number[];
            if (list.length > 1) {
              const from = m.from % list.length;
              const to = (from + 1 + (m.to % (list.length - 1))) % list.length;
              list[to] = list[from] as number;
            }
          } else if (m.kind === 'duplicateId') {
            const row = featureRows[m.row % featureRows.length] as { ids: number[]; values: string[] };
            if (row.ids.length > 0) {
              row.ids.push(row.ids[0] as number);
              row.values.push('1');
            }
          } else if (m.kind === 'dropLabelLine') dropLabel = true;
          else boms.add(m.file);
        }
        featureRows.forEach((row, k) => {
          featureLines.push([`doc${k}`, ...row.ids.map((id, j) => `${id}:${row.values[j]}`)].join(' '));
        });
        // The validator: every listed row's values fit float32, ids once per row, documents once per query,
        // labels finite decimals, one label line per list line.
        for (const [q, list] of lists.entries()) {
          if (hasDuplicate(list)) valid = false;
          for (const index of list) {
            const row = featureRows[index] as { ids: number[]; values: string[] };
            if (hasDuplicate(row.ids) || !row.values.every(float32Decimal)) valid = false;
          }
          if (!(queries[q] as { label: string }[]).every((d) => finiteDecimal(d.label))) valid = false;
        }
        if (dropLabel) valid = false;
        // A query listing a row twice uses it once only when rows are not reused; rows dropped from lists stay unread.
        const labelLines = queries.map((docs, q) => `${q + 1} ${docs.map((d) => d.label).join(' ')}`);
        if (dropLabel) labelLines.pop();
        const file = (name: string, text: string): Uint8Array => {
          const bytes = encoder.encode(text);
          return boms.has(name) ? concatBytes([BOM, bytes]) : bytes;
        };
        const sources = {
          feature: fromChunks(file('feature', `${featureLines.join('\n')}\n`), 7),
          initList: fromChunks(file('initList', `${lists.map((l, q) => `${q + 1} ${l.join(' ')}`).join('\n')}\n`), 5),
          labels: fromChunks(file('labels', labelLines.length === 0 ? '' : `${labelLines.join('\n')}\n`), 3),
        };
        const got = await outcome(() => readUltra(sources, { fileName: 'x.init_list', reuseFeatureLines: true }).collect());
        if (valid) {
          expect(got.ok, got.ok ? '' : JSON.stringify(got.error)).toBe(true);
          if (!got.ok) return;
          expect(got.value.map((q) => Array.from(q.featureLines))).toEqual(lists);
          expect(got.value.map((q) => Array.from(q.labels))).toEqual(queries.map((docs) => docs.map((d) => Number(d.label))));
          got.value.forEach((q, k) => {
            const f = q.features as { rowOffsets: Int32Array; featureIds: Int32Array; values: Float32Array };
            (lists[k] as number[]).forEach((index, r) => {
              const row = featureRows[index] as { ids: number[]; values: string[] };
              expect(Array.from(f.featureIds.subarray(f.rowOffsets[r], f.rowOffsets[r + 1]))).toEqual(row.ids);
              expect(Array.from(f.values.subarray(f.rowOffsets[r], f.rowOffsets[r + 1]))).toEqual(row.values.map((v) => Math.fround(Number(v))));
            });
          });
        } else {
          expect(got.ok, 'accepted invalid input').toBe(false);
          if (!got.ok) {
            expect(got.error?.name, String(got.error)).toBe('UnbiasedError');
            expect(typeof got.error.file).toBe('string');
            expect(Number.isInteger(got.error.line), JSON.stringify(got.error)).toBe(true);
          }
        }
      }),
      { seed: SEED + 2, numRuns: 2000 },
    );
  });
});

// ---- Baidu-ULTR click logs and annotations ----

const NUMERIC_COLUMNS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 28, 29, 30];

describe('fuzz: readBaiduLogs', () => {
  const document = fc.record({
    position: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 30 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('0', '2147483648', '99999999999', '1e1', '0x1F', 'Infinity') }),
    click: fc.constantFrom('0', '1', '1', '2', '1.0'),
    column: fc.nat({ max: NUMERIC_COLUMNS.length - 1 }),
    value: fc.oneof({ weight: 3, arbitrary: numberToken }, { weight: 1, arbitrary: fc.constant('-') }),
  });
  const session = fc.array(document, { minLength: 1, maxLength: 3 });

  it('reads valid sessions exactly and rejects non-finite or non-decimal columns with file, line and field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(session, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 3 }))), async (sessions, bom, noise) => {
        const lines: string[] = [];
        let valid = true;
        sessions.forEach((docs, s) => {
          lines.push(`${s + 1}\t5\x016\x017`);
          for (const d of docs) {
            const cells = Array.from({ length: 32 }, () => '0');
            cells[0] = d.position;
            cells[1] = 'abc';
            cells[2] = '12\x0134';
            cells[3] = '56';
            cells[4] = '-';
            cells[5] = d.click;
            cells[NUMERIC_COLUMNS[d.column] as number] = d.value;
            lines.push(cells.join('\t'));
            const position = /^\d+$/.test(d.position) ? Number(d.position) : Number.NaN;
            if (!(position >= 1 && position <= 2147483647)) valid = false;
            if (d.click !== '0' && d.click !== '1') valid = false;
            if (d.value !== '-' && !finiteDecimal(d.value)) valid = false;
          }
        });
        let bytes: Uint8Array = encoder.encode(`${lines.join('\n')}\n`);
        if (noise !== null) {
          const at = noise[0] % bytes.length;
          bytes = concatBytes([bytes.subarray(0, at), noise[1], bytes.subarray(at)]);
        }
        if (bom) bytes = concatBytes([BOM, bytes]);
        const got = await outcome(() => readBaiduLogs(fromChunks(bytes, 11), { fileName: FILE }).collect());
        if (!got.ok) {
          expectLocatedUnbiasedError(got.error, FILE);
          if (noise === null) expect(valid, `rejected valid input: ${JSON.stringify(got.error)}`).toBe(false);
          return;
        }
        if (noise !== null) return; // random bytes may leave a valid file (e.g. inside the url column)
        expect(valid, 'accepted invalid input').toBe(true);
        expect(got.value.length).toBe(sessions.length);
        got.value.forEach((s, k) => {
          const docs = sessions[k] as (typeof sessions)[number];
          docs.forEach((d, r) => {
            const name = Object.entries({
              skip: 8, serpHeight: 9, displayedTime: 10, displayedTimeMiddle: 11, firstClick: 12, displayedCount: 13, serpMaxShowHeight: 14,
              slipoffCountAfterClick: 15, dwellingTime: 16, displayedTimeTop: 17, serpToTop: 18, displayedCountTop: 19, displayedCountBottom: 20,
              slipoffCount: 21, finalClick: 23, displayedTimeBottom: 24, clickCount: 25, displayedCount2: 26, lastClick: 28, reverseDisplayCount: 29,
              displayedCountMiddle: 30,
            }).find(([, c]) => c === NUMERIC_COLUMNS[d.column])?.[0] as keyof typeof s.columns;
            const expected = d.value === '-' ? Number.NaN : Number(d.value);
            expect(Object.is(s.columns[name][r], expected) || (Number.isNaN(expected) && Number.isNaN(s.columns[name][r]))).toBe(true);
            expect(s.position[r]).toBe(Number(d.position));
          });
        });
      }),
      { seed: SEED + 3, numRuns: 2000 },
    );
  });
});

describe('fuzz: readBaiduAnnotations', () => {
  const row = fc.record({
    label: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('0', '1', '2', '3', '4', '4.0', '2e0') }, { weight: 1, arbitrary: fc.constantFrom('5', '-1', '1.5', 'Infinity', '1e400', '0x1', 'NaN', '') }),
    bucket: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 9 }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('10', '-1', '1.0', '0x1', '2147483648', '') }),
    query: fc.integer({ min: 1, max: 3 }),
  });

  it('accepts labels 0-4 and buckets 0-9 only, with file, line and field on errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 6 }), fc.boolean(), async (rows, bom) => {
        // Sort by query so that every query's rows are consecutive (the format's grouping rule).
        const sorted = [...rows].sort((a, b) => a.query - b.query);
        const lines = sorted.map((r) => `q${r.query}\t${r.query}\x012\t3\t4\x015\t${r.label}\t${r.bucket}`);
        const valid = sorted.every((r) => finiteDecimal(r.label) && Number.isInteger(Number(r.label)) && Number(r.label) >= 0 && Number(r.label) <= 4 && /^\d$/.test(r.bucket));
        let bytes: Uint8Array = encoder.encode(lines.join('\n'));
        if (bom) bytes = concatBytes([BOM, bytes]);
        const got = await outcome(() => readBaiduAnnotations(fromChunks(bytes, 9), { fileName: FILE }).collect());
        if (valid) {
          expect(got.ok, got.ok ? '' : JSON.stringify(got.error)).toBe(true);
          if (got.ok) {
            expect(got.value.flatMap((q) => Array.from(q.labels))).toEqual(sorted.map((r) => Number(r.label)));
            expect(got.value.map((q) => q.qid)).toEqual([...new Set(sorted.map((r) => `q${r.query}`))]);
          }
        } else {
          expect(got.ok, 'accepted invalid input').toBe(false);
          if (!got.ok) expectLocatedUnbiasedError(got.error, FILE);
        }
      }),
      { seed: SEED + 4, numRuns: 2000 },
    );
  });
});

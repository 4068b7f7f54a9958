import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatFloat32, fromChunks, fromText, type LetorQuery, readSvmlight, writeSvmlight } from '../src/index.js';
import { parseNumber } from '../src/readers/lines.js';
import { caught } from './helpers.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'ultr-data-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const f32 = (xs: number[]): number[] => xs.map((x) => Math.fround(x));

/** Plain-JS view of a query for deep equality. */
function plain(q: LetorQuery): unknown {
  const f = q.features;
  return {
    qid: q.qid,
    size: q.size,
    labels: Array.from(q.labels),
    line: q.line,
    comments: q.comments,
    features:
      f.kind === 'dense'
        ? { kind: f.kind, numFeatures: f.numFeatures, values: Array.from(f.values) }
        : { kind: f.kind, rowOffsets: Array.from(f.rowOffsets), featureIds: Array.from(f.featureIds), values: Array.from(f.values) },
  };
}

/** Collects the groups delivered before an error, and the error. */
async function collectUntilError<T>(iterable: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const items: T[] = [];
  try {
    for await (const item of iterable) items.push(item);
  } catch (error) {
    return { items, error };
  }
  return { items, error: undefined };
}

describe('readSvmlight: well-formed input', () => {
  it('parses the spec fixture (2 qid:1 1:0.3 7:-1.2 / 0 qid:1 1:0.1 3:0.4), sparse by default', async () => {
    const reader = readSvmlight(fromText('2 qid:1 1:0.3 7:-1.2\n0 qid:1 1:0.1 3:0.4\n'));
    const [q, ...rest] = await reader.collect();
    expect(rest).toEqual([]);
    expect(plain(q as LetorQuery)).toEqual({
      qid: '1',
      size: 2,
      labels: [2, 0],
      line: 1,
      comments: null,
      features: { kind: 'sparse', rowOffsets: [0, 2, 4], featureIds: [1, 7, 1, 3], values: f32([0.3, -1.2, 0.1, 0.4]) },
    });
    expect(reader.summary).toMatchObject({ lines: 2, queries: 1, documents: 2, skippedLines: 0 });
  });

  it('reads a file by path: dense rows, comments, blank and comment lines, exponent and -0 values', async () => {
    const reader = readSvmlight(fixture('mslr-sample.txt'), { numFeatures: 7, keepComments: true });
    const queries = (await reader.collect()).map(plain);
    const row = (entries: Record<number, number>): number[] => Array.from({ length: 7 }, (_, c) => Math.fround(entries[c + 1] ?? 0));
    expect(queries).toEqual([
      {
        qid: '1', size: 2, labels: [2, 0], line: 1, comments: ['', ''],
        features: { kind: 'dense', numFeatures: 7, values: [...row({ 1: 0.3, 7: -1.2 }), ...row({ 1: 0.1, 3: 0.4 })] },
      },
      {
        qid: '10', size: 2, labels: [1, 4], line: 3, comments: ['docid = GX000-00-0000000', ''],
        features: { kind: 'dense', numFeatures: 7, values: [...row({ 1: 3, 2: 0.000125, 7: 12.5 }), ...row({ 2: 0.001, 3: -0 })] },
      },
      { qid: '2', size: 1, labels: [3], line: 7, comments: [''], features: { kind: 'dense', numFeatures: 7, values: row({ 5: 7 }) } },
    ]);
    expect(Object.is((queries[1] as { features: { values: number[] } }).features.values[9], -0)).toBe(true);
    expect(reader.summary).toMatchObject({ file: fixture('mslr-sample.txt'), lines: 7, queries: 3, documents: 5 });
  });

  it('detects gzip by magic bytes (file without .gz, in-memory bytes) and handles CRLF', async () => {
    const text = readFileSync(fixture('mslr-sample.txt'), 'utf8');
    const expected = (await readSvmlight(fromText(text)).collect()).map(plain);
    const gz = gzipSync(Buffer.from(text));
    const path = join(scratch, 'sample.bin');
    writeFileSync(path, gz);
    expect((await readSvmlight(path).collect()).map(plain)).toEqual(expected);
    expect((await readSvmlight(new Uint8Array(gz)).collect()).map(plain)).toEqual(expected);
    expect((await readSvmlight(fromText(text.replaceAll('\n', '\r\n'))).collect()).map(plain)).toEqual(expected);
    // Multi-member gzip (concatenated part files) reads as one stream.
    const half = text.indexOf('3 qid:2');
    const twoMembers = Buffer.concat([gzipSync(Buffer.from(text.slice(0, half))), gzipSync(Buffer.from(text.slice(half)))]);
    expect((await readSvmlight(twoMembers).collect()).map(plain)).toEqual(expected);
  });

  it('reads a Node Readable; stops cleanly when the consumer breaks early; streams once', async () => {
    const { createReadStream } = await import('node:fs');
    const fromStream = await readSvmlight(createReadStream(fixture('mslr-sample.txt'), { highWaterMark: 7 })).collect();
    expect(fromStream.map((q) => q.qid)).toEqual(['1', '10', '2']);
    const lines: string[] = [];
    for (let q = 1; q <= 3000; q++) lines.push(`1 qid:${q} 1:${q}`);
    const path = join(scratch, 'big.gz');
    writeFileSync(path, gzipSync(Buffer.from(`${lines.join('\n')}\n`)));
    const reader = readSvmlight(path);
    let seen = 0;
    for await (const q of reader) {
      seen++;
      if (q.qid === '5') break;
    }
    expect(seen).toBe(5);
    expect((await caught(() => reader.collect())).code).toBe('BAD_STATE');
  });

  it('a last line without newline and an empty input', async () => {
    expect((await readSvmlight(fromText('1 qid:a 2:0.5')).collect()).map((q) => q.qid)).toEqual(['a']);
    expect(await readSvmlight(fromText('')).collect()).toEqual([]);
  });
});

describe('readSvmlight: bad input', () => {
  it('a malformed line names the code, file, line and what was expected', async () => {
    const path = fixture('mslr-malformed.txt');
    const { items, error } = await collectUntilError(readSvmlight(path));
    // qid 1 is still open at line 3 (it may continue), so it is not delivered as if complete.
    expect(items).toEqual([]);
    const e = await caught(() => {
      throw error;
    });
    expect(e.code).toBe('BAD_LETOR_LINE');
    expect(e.file).toBe(path);
    expect(e.line).toBe(3);
    expect(e.message).toContain(`${path}:3`);
    expect(e.message).toContain('expected "qid:<id>" after the label, got "q17"');
  });

  it('queries completed before a malformed line are delivered before the error', async () => {
    const { items, error } = await collectUntilError(readSvmlight(fromText('1 qid:1 1:1\n0 qid:1 1:2\n1 qid:2 1:3\n1 qid:2 1:x\n')));
    expect(items.map((q) => [q.qid, q.size])).toEqual([['1', 2]]);
    expect(error).toMatchObject({ code: 'BAD_LETOR_LINE', line: 4 });
  });

  it("onError 'skip' leaves malformed lines out and counts them", async () => {
    const reader = readSvmlight(fixture('mslr-malformed.txt'), { onError: 'skip' });
    const queries = await reader.collect();
    expect(queries.map((q) => [q.qid, q.size])).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
    expect(Array.from((queries[1] as LetorQuery).labels)).toEqual([0]);
    expect(reader.summary.skippedLines).toBe(4);
    expect(reader.summary.skipped.map((s) => s.line)).toEqual([3, 4, 5, 6]);
    expect(reader.summary.skipped[1]?.message).toContain('expected a finite decimal value that fits float32 (|v| <= 3.4028235e38) after "2:", got "abc"');
    expect(reader.summary.skipped[2]?.message).toContain('expected a finite decimal label as the first field, got "x"');
    expect(reader.summary.skipped[3]?.message).toContain('expected "<feature id>:<value>", got "3"');
  });

  it('a feature id out of range (numFeatures / maxFeatureId)', async () => {
    const text = '1 qid:1 1:0.5 136:1\n0 qid:1 137:2\n';
    const e = await caught(() => readSvmlight(fromText(text), { numFeatures: 136 }).collect());
    expect(e).toMatchObject({ code: 'FEATURE_ID_OUT_OF_RANGE', line: 2, file: '<stream>' });
    expect(e.message).toContain('expected a feature id in [1, 136], got 137');
    expect((await caught(() => readSvmlight(fromText('1 qid:1 0:1\n')).collect())).message).toContain('expected a feature id in [1, 2147483647], got 0');
    expect((await caught(() => readSvmlight(fromText(text), { maxFeatureId: 100 }).collect())).line).toBe(1);
    const skipping = readSvmlight(fromText(text), { numFeatures: 136, onError: 'skip' });
    expect((await skipping.collect()).map((q) => q.size)).toEqual([1]);
    expect(skipping.summary.skippedLines).toBe(1);
  });

  it('a qid that reappears after another qid; earlier queries are delivered first', async () => {
    const text = '1 qid:1 1:1\n0 qid:2 1:1\n1 qid:1 1:2\n';
    const { items, error } = await collectUntilError(readSvmlight(fromText(text), { fileName: 'train.txt' }));
    expect(items.map((q) => q.qid)).toEqual(['1']);
    expect(error).toMatchObject({ code: 'QID_NOT_CONTIGUOUS', file: 'train.txt', line: 3 });
    expect((error as Error).message).toContain('qid 1 reappears after qid 2');
    // The skip mode does not hide it.
    expect((await caught(() => readSvmlight(fromText(text), { onError: 'skip' }).collect())).code).toBe('QID_NOT_CONTIGUOUS');
  });

  it('a list longer than maxListSize', async () => {
    const text = '1 qid:1 1:1\n0 qid:1 1:1\n1 qid:2 1:2\n1 qid:2 1:2\n1 qid:2 1:2\n';
    const { items, error } = await collectUntilError(readSvmlight(fromText(text), { maxListSize: 2 }));
    expect(items.map((q) => q.qid)).toEqual(['1']);
    expect(error).toMatchObject({ code: 'LIST_TOO_LONG', line: 5 });
    expect((error as Error).message).toContain('qid 2 has more than maxListSize = 2 documents');
  });

  it('a truncated gzip stream: TRUNCATED_GZIP after the complete queries', async () => {
    const lines: string[] = [];
    for (let q = 1; q <= 200; q++) for (let d = 0; d < 5; d++) lines.push(`${d % 5} qid:${q} 1:${q}.${d} 2:${d}`);
    const gz = gzipSync(Buffer.from(`${lines.join('\n')}\n`));
    const cut = gz.subarray(0, Math.floor(gz.length * 0.6));
    const path = join(scratch, 'part-00001.gz');
    writeFileSync(path, cut);
    const { items, error } = await collectUntilError(readSvmlight(path));
    expect(error).toMatchObject({ code: 'TRUNCATED_GZIP', file: path });
    expect(items.length).toBeGreaterThan(10);
    // Every delivered query is complete and in order.
    items.forEach((q, k) => {
      expect(q.qid).toBe(String(k + 1));
      expect(q.size).toBe(5);
    });
    // Corrupt (not truncated) data is a different error.
    const corrupt = Buffer.from(gz);
    corrupt[20] = (corrupt[20] as number) ^ 0xff;
    corrupt[21] = (corrupt[21] as number) ^ 0xff;
    const e = await caught(() => readSvmlight(corrupt).collect());
    expect(['BAD_GZIP', 'TRUNCATED_GZIP']).toContain(e.code);
  });

  it('bad options and a missing file', async () => {
    expect((await caught(() => readSvmlight(fromText(''), { layout: 'dense' }))).field).toBe('numFeatures');
    expect((await caught(() => readSvmlight(fromText(''), { onError: 'ignore' as 'skip' }))).field).toBe('onError');
    expect((await caught(() => readSvmlight(join(scratch, 'nope.txt')).collect())).code).toBe('IO');
    expect((await caught(() => readSvmlight(fromText('1 qid:1 1:1\n'.repeat(3)), { maxLineBytes: 5 }).collect())).code).toBe('LINE_TOO_LONG');
  });
});

describe('streaming: any chunking of the same bytes parses identically', () => {
  const lineArb = fc.record({
    label: fc.integer({ min: 0, max: 4 }),
    qidStep: fc.boolean(),
    features: fc.uniqueArray(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { maxLength: 6, selector: ([fid]) => fid }),
    comment: fc.option(fc.string({ maxLength: 8 }).map((s) => s.replace(/[\r\n]/g, ' '))),
  });
  const textArb = fc.array(lineArb, { minLength: 1, maxLength: 25 }).map((lines) => {
    let qid = 1;
    return lines
      .map((l) => {
        if (l.qidStep) qid++;
        const features = l.features.map(([fid, v]) => `${fid}:${v}`).join(' ');
        return `${l.label} qid:${qid} ${features}${l.comment === null ? '' : ` # ${l.comment}`}`;
      })
      .join('\n');
  });
  /** Cuts `bytes` at the given fractions. */
  function chunked(bytes: Uint8Array, cuts: number[]): AsyncIterable<Uint8Array> {
    const points = [...new Set(cuts.map((c) => Math.floor(c * bytes.length)))].sort((a, b) => a - b);
    return {
      async *[Symbol.asyncIterator]() {
        let prev = 0;
        for (const p of [...points, bytes.length]) {
          yield bytes.slice(prev, p);
          prev = p;
        }
      },
    };
  }

  it('plain text', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 }), async (text, cuts) => {
        const bytes = new TextEncoder().encode(text);
        const whole = (await readSvmlight(bytes, { keepComments: true }).collect()).map(plain);
        const pieces = (await readSvmlight(chunked(bytes, cuts), { keepComments: true }).collect()).map(plain);
        expect(pieces).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('gzip, including a chunk of one byte before the magic is complete', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }), async (text, cuts) => {
        const gz = new Uint8Array(gzipSync(Buffer.from(text)));
        const whole = (await readSvmlight(fromText(text)).collect()).map(plain);
        expect((await readSvmlight(chunked(gz, [1 / gz.length, ...cuts])).collect()).map(plain)).toEqual(whole);
      }),
      { numRuns: 60 },
    );
  });

  it('one byte at a time', async () => {
    const text = readFileSync(fixture('mslr-sample.txt'), 'utf8');
    const bytes = new TextEncoder().encode(text);
    expect((await readSvmlight(fromChunks(bytes, 1)).collect()).map(plain)).toEqual((await readSvmlight(bytes).collect()).map(plain));
  });
});

describe('number parsing agrees with Number()', () => {
  const parse = (s: string): number => {
    const b = new TextEncoder().encode(s);
    return parseNumber(b, 0, b.length);
  };
  it('on JS-formatted doubles and float32 values', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        // "Infinity" is not decimal syntax: the reader rejects it rather than reading ±Infinity.
        if (!Number.isFinite(x)) {
          expect(parse(String(x))).toBeNaN();
          return;
        }
        expect(Object.is(parse(String(x)), Number(String(x)))).toBe(true);
        const f = Math.fround(x);
        if (Number.isFinite(f)) expect(Object.is(parse(String(f)), Number(String(f)))).toBe(true);
        else expect(parse(String(f))).toBeNaN();
      }),
      { numRuns: 2000 },
    );
  });
  it('on decimal strings with many digits, signs, leading zeros and exponents', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 1, maxLength: 25 });
    fc.assert(
      fc.property(fc.constantFrom('', '-', '+'), digits, fc.option(digits), fc.option(fc.integer({ min: -30, max: 30 })), (sign, int, frac, exp) => {
        const s = `${sign}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`;
        expect(Object.is(parse(s), Number(s))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
  it('rejects what is not a decimal number', () => {
    for (const s of ['', '-', '.', 'abc', '1.2.3', '0x10', '1e', 'NaN', '1,5', '--1']) expect(parse(s)).toBeNaN();
  });
});

describe('writeSvmlight', () => {
  it('round-trips dense and sparse queries exactly through a file (atomic write)', async () => {
    const queries = await readSvmlight(fixture('mslr-sample.txt'), { keepComments: true }).collect();
    const path = join(scratch, 'roundtrip.txt');
    const summary = await writeSvmlight(queries, path);
    expect(summary).toMatchObject({ queries: 3, documents: 5 });
    expect(readFileSync(path, 'utf8').split('\n')[2]).toBe('1 qid:10 1:3 2:0.000125 7:12.5 # docid = GX000-00-0000000');
    const again = await readSvmlight(path, { keepComments: true }).collect();
    // Blank and comment lines are not written, so only line numbers differ.
    const withoutLine = (q: LetorQuery) => ({ ...(plain(q) as object), line: 0 });
    expect(again.map(withoutLine)).toEqual(queries.map(withoutLine));
    const dense = await readSvmlight(fixture('mslr-sample.txt'), { numFeatures: 7 }).collect();
    await writeSvmlight(readSvmlight(fixture('mslr-sample.txt'), { numFeatures: 7 }), path);
    expect((await readSvmlight(path, { numFeatures: 7 }).collect()).map(withoutLine)).toEqual(dense.map(withoutLine));
  });

  it('float32 values are written as the shortest string that reads back exactly', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const s = formatFloat32(v);
        expect(Object.is(Math.fround(Number(s)), v) || (v === 0 && Number(s) === 0)).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(formatFloat32(Math.fround(0.3))).toBe('0.3');
  });

  it('a failure leaves an existing file untouched and no temporary file behind', async () => {
    const dir = mkdtempSync(join(scratch, 'atomic-'));
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old content\n');
    const good = (await readSvmlight(fromText('1 qid:1 1:1\n')).collect())[0] as LetorQuery;
    const bad = { ...good, qid: 'has space' };
    const e = await caught(() => writeSvmlight([good, bad], path));
    expect(e.code).toBe('BAD_INPUT');
    expect(readFileSync(path, 'utf8')).toBe('old content\n');
    expect(readdirSync(dir)).toEqual(['out.txt']);
    expect(existsSync(path)).toBe(true);
  });
});

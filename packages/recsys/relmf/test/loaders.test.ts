import { describe, expect, it } from 'vitest';
import { parseCoatMatrix, parseCoatSplit, parseMovieLens100k, parseYahooR3, parseYahooR3Split } from '../src/index.js';
import { expectUnbiased, fixture } from './helpers.js';

const YAHOO_TRAIN = 'yahoo-r3/ydata-ymusic-rating-study-v1_0-train.txt';
const YAHOO_TEST = 'yahoo-r3/ydata-ymusic-rating-study-v1_0-test.txt';

describe('Yahoo! R3 (user<TAB>item<TAB>rating, 1-based)', () => {
  it('parses the fixture: 0-based ids, ratings, sizes from the largest ids', () => {
    const text = fixture(YAHOO_TRAIN);
    const data = parseYahooR3(text, { file: YAHOO_TRAIN });
    const lines = text.trim().split('\n');
    expect(data.users.length).toBe(lines.length);
    // first line "1\t1\t1" -> user 0, item 0, rating 1
    expect([data.users[0], data.items[0], data.ratings[0]]).toEqual([0, 0, 1]);
    const [u, i, r] = (lines[5] as string).split('\t').map(Number) as [number, number, number];
    expect([data.users[5], data.items[5], data.ratings[5]]).toEqual([u - 1, i - 1, r]);
    expect(data.numUsers).toBe(Math.max(...lines.map((l) => Number(l.split('\t')[0]))));
    expect(data.numItems).toBe(Math.max(...lines.map((l) => Number(l.split('\t')[1]))));
  });

  it('train and test share one id space; CRLF and a trailing newline are fine', () => {
    const { train, test } = parseYahooR3Split({ text: fixture(YAHOO_TRAIN), file: 'train' }, { text: fixture(YAHOO_TEST).replace(/\n/g, '\r\n'), file: 'test' });
    expect(train.numUsers).toBe(test.numUsers);
    expect(train.numItems).toBe(test.numItems);
    expect(test.users.length).toBe(12);
  });

  it('malformed lines name the file, the line and the layout', async () => {
    const good = fixture(YAHOO_TRAIN).split('\n');
    const variant = (k: number, line: string) => [...good.slice(0, k), line, ...good.slice(k + 1)].join('\n');
    const spaces = await expectUnbiased(() => parseYahooR3(variant(2, '1 6 5'), { file: 'train.txt' }), 'BAD_YAHOO_R3_LINE', 'line');
    expect(spaces.message).toContain('train.txt:3:');
    expect(spaces.message).toContain('user<TAB>item<TAB>rating');
    expect(spaces.line).toBe(3);
    expect(spaces.file).toBe('train.txt');
    await expectUnbiased(() => parseYahooR3(variant(0, '1\t2\t3\t4')), 'BAD_YAHOO_R3_LINE', 'line');
    await expectUnbiased(() => parseYahooR3(variant(0, '1\tx\t3')), 'BAD_YAHOO_R3_LINE', 'item');
    await expectUnbiased(() => parseYahooR3(variant(0, '1\t2\t3.5')), 'BAD_YAHOO_R3_LINE', 'rating');
    const rating = await expectUnbiased(() => parseYahooR3(variant(4, '1\t2\t6')), 'BAD_YAHOO_R3_LINE', 'rating');
    expect(rating.line).toBe(5);
    await expectUnbiased(() => parseYahooR3(variant(0, '0\t2\t3')), 'BAD_YAHOO_R3_LINE', 'user');
    await expectUnbiased(() => parseYahooR3('', { file: 'empty.txt' }), 'BAD_YAHOO_R3_LINE', 'text');
  });

  it('ids beyond numUsers / numItems are out of range', async () => {
    const text = fixture(YAHOO_TRAIN);
    const e = await expectUnbiased(() => parseYahooR3(text, { numUsers: 5 }), 'BAD_YAHOO_R3_LINE', 'user');
    expect(e.message).toContain('out of range [1, 5]');
    await expectUnbiased(() => parseYahooR3(text, { numItems: 3 }), 'BAD_YAHOO_R3_LINE', 'item');
    expect(parseYahooR3(text, { numUsers: 15400, numItems: 1000 }).numUsers).toBe(15400);
    await expectUnbiased(() => parseYahooR3(text, { numUsers: 0 }), 'INVALID_ARGUMENT', 'numUsers');
  });
});

describe('Coat (dense space-separated matrices, 0 = missing)', () => {
  it('parses the fixture into the non-zero entries, row-major', () => {
    const text = fixture('coat/train.ascii');
    const data = parseCoatMatrix(text, { file: 'train.ascii' });
    const rows = text.trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(data.numUsers).toBe(5);
    expect(data.numItems).toBe(8);
    const expected: [number, number, number][] = [];
    rows.forEach((row, u) => {
      row.forEach((r, i) => {
        if (r !== 0) expected.push([u, i, r]);
      });
    });
    expect(Array.from(data.users, (u, j) => [u, data.items[j], data.ratings[j]])).toEqual(expected);
    // row 0 is "5 0 0 3 4 0 0 0"
    expect(expected.slice(0, 3)).toEqual([
      [0, 0, 5],
      [0, 3, 3],
      [0, 4, 4],
    ]);
  });

  it('train and test must have the same shape', async () => {
    const { train, test } = parseCoatSplit({ text: fixture('coat/train.ascii') }, { text: fixture('coat/test.ascii') });
    expect([train.numUsers, train.numItems]).toEqual([test.numUsers, test.numItems]);
    const fewerRows = fixture('coat/test.ascii').trim().split('\n').slice(0, 4).join('\n');
    await expectUnbiased(() => parseCoatSplit({ text: fixture('coat/train.ascii') }, { text: fewerRows, file: 'test.ascii' }), 'BAD_COAT_LINE', 'user');
  });

  it('malformed rows name the file and line', async () => {
    const rows = fixture('coat/train.ascii').trim().split('\n');
    const short = [...rows.slice(0, 2), '0 1 2', ...rows.slice(3)].join('\n');
    const e = await expectUnbiased(() => parseCoatMatrix(short, { file: 'train.ascii' }), 'BAD_COAT_LINE', 'line');
    expect(e.message).toContain('train.ascii:3:');
    expect(e.message).toContain('8 space-separated ratings 0-5 per line');
    const bad = [rows[0], '0 0 0 0 0 0 0 6', ...rows.slice(2)].join('\n');
    const r = await expectUnbiased(() => parseCoatMatrix(bad), 'BAD_COAT_LINE', 'rating (column 8)');
    expect(r.line).toBe(2);
    await expectUnbiased(() => parseCoatMatrix(fixture('coat/train.ascii'), { numItems: 300 }), 'BAD_COAT_LINE', 'line');
    await expectUnbiased(() => parseCoatMatrix(fixture('coat/train.ascii'), { numUsers: 4 }), 'BAD_COAT_LINE', 'user');
  });
});

describe('MovieLens 100K u.data (user<TAB>item<TAB>rating<TAB>timestamp)', () => {
  it('parses the fixture with timestamps', () => {
    const text = fixture('ml-100k/u.data');
    const data = parseMovieLens100k(text, { file: 'u.data' });
    const first = (text.split('\n')[0] as string).split('\t').map(Number) as [number, number, number, number];
    expect([data.users[0], data.items[0], data.ratings[0], data.timestamps?.[0]]).toEqual([first[0] - 1, first[1] - 1, first[2], first[3]]);
    expect(data.numUsers).toBe(12);
    expect(data.numItems).toBeLessThanOrEqual(15);
    // The real file's first line parses too.
    expect(parseMovieLens100k('196\t242\t3\t881250949\n', { numUsers: 943, numItems: 1682 }).items[0]).toBe(241);
  });

  it('malformed lines and out-of-range ids', async () => {
    const e = await expectUnbiased(() => parseMovieLens100k('1\t2\t3\n4\t5\t6\n', { file: 'u.data' }), 'BAD_MOVIELENS_LINE', 'line');
    expect(e.message).toContain('u.data:1:');
    expect(e.message).toContain('user<TAB>item<TAB>rating<TAB>timestamp');
    await expectUnbiased(() => parseMovieLens100k('1\t2\t3\tnow\n'), 'BAD_MOVIELENS_LINE', 'timestamp');
    const range = await expectUnbiased(() => parseMovieLens100k('1\t2\t3\t5\n944\t2\t3\t5\n', { numUsers: 943 }), 'BAD_MOVIELENS_LINE', 'user');
    expect(range.line).toBe(2);
    await expectUnbiased(() => parseMovieLens100k('1\t1683\t3\t5\n', { numItems: 1682 }), 'BAD_MOVIELENS_LINE', 'item');
  });
});

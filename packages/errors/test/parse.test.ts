import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bomLength,
  checkUnique,
  FLOAT32_MAX,
  findDuplicate,
  fitsFloat32,
  ioError,
  isDecimal,
  parseDecimal,
  parseIndex,
  parseInteger,
  stripBom,
  UnbiasedError,
} from '../src/index.js';

const SEED = 20261206;

function thrown(fn: () => unknown): UnbiasedError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnbiasedError);
    return error as UnbiasedError;
  }
  throw new Error('expected a throw');
}

describe('parseDecimal', () => {
  const at = { file: 'f.txt', line: 7, field: 'label', code: 'BAD_LINE' };

  it('reads plain decimals exactly as Number() does', () => {
    for (const text of ['0', '-0', '+1', '1.', '.5', '-2.25', '3e5', '1E-3', '00012', '1e-400']) {
      expect(Object.is(parseDecimal(text, at), Number(text))).toBe(true);
    }
  });

  it('rejects non-decimal syntax Number() would accept, with file, line, field and code', () => {
    for (const text of ['Infinity', '-Infinity', 'NaN', '0x1F', '0b11', '0o7', '', ' 1', '1 ', '1_000', '1e', 'e5', '.', '--1', '1,5']) {
      const e = thrown(() => parseDecimal(text, at));
      expect(e).toMatchObject({ code: 'BAD_LINE', file: 'f.txt', line: 7, field: 'label' });
      expect(e.message.startsWith('f.txt:7: ')).toBe(true);
    }
  });

  it('rejects float64 overflow (1e400) and, when asked, float32 overflow (1e39, -3.5e38)', () => {
    expect(thrown(() => parseDecimal('1e400', at)).code).toBe('BAD_LINE');
    expect(thrown(() => parseDecimal('-1e400')).code).toBe('BAD_INPUT');
    expect(parseDecimal('1e39')).toBe(1e39);
    expect(thrown(() => parseDecimal('1e39', { float32: true })).code).toBe('BAD_INPUT');
    expect(thrown(() => parseDecimal('-3.5e38', { float32: true })).code).toBe('BAD_INPUT');
    expect(parseDecimal('3.4028234e38', { float32: true })).toBe(3.4028234e38);
  });

  it('float32 acceptance agrees with an independent bound (largest float32 plus half an ulp, exclusive)', () => {
    // Round-to-nearest-even maps |x| < FLOAT32_MAX + 2^103 (half of the top ulp 2^104) to FLOAT32_MAX.
    const limit = FLOAT32_MAX + 2 ** 103;
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        const expected = Math.abs(x) < limit;
        expect(fitsFloat32(x)).toBe(expected);
        const text = String(x);
        if (!Number.isFinite(x)) expect(isDecimal(text)).toBe(false);
        else if (expected) expect(parseDecimal(text, { float32: true })).toBe(Number(text));
        else expect(thrown(() => parseDecimal(text, { float32: true })).code).toBe('BAD_INPUT');
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });
});

describe('parseInteger / parseIndex', () => {
  it('accepts decimal integers in range', () => {
    expect(parseIndex('0')).toBe(0);
    expect(parseIndex('2147483647')).toBe(2147483647);
    expect(parseInteger('-2147483648')).toBe(-2147483648);
    expect(parseIndex('42', { max: 42 })).toBe(42);
  });

  it('rejects ids beyond int32 instead of wrapping, and non-decimal syntax', () => {
    for (const text of ['2147483648', '2147483649', '4294967297', '99999999999999999999']) {
      expect(thrown(() => parseIndex(text, { file: 'u', line: 3, field: 'user' }))).toMatchObject({ code: 'BAD_INPUT', file: 'u', line: 3, field: 'user' });
    }
    for (const text of ['0x1F', '1e3', '3.0', '+5', 'Infinity', '', ' 7', '-1', '3.5e38']) {
      expect(thrown(() => parseIndex(text)).code).toBe('BAD_INPUT');
    }
  });
});

describe('BOM, duplicates, I/O errors', () => {
  it('stripBom removes one leading U+FEFF only; bomLength sees EF BB BF', () => {
    expect(stripBom('\ufeffU1\t1')).toBe('U1\t1');
    expect(stripBom('U1\ufeff')).toBe('U1\ufeff');
    expect(bomLength([0xef, 0xbb, 0xbf, 0x31])).toBe(3);
    expect(bomLength([0xef, 0xbb])).toBe(0);
  });

  it('findDuplicate matches a brute-force pairwise scan', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 20 }), (values) => {
        let expected: [number, number] | null = null;
        for (let j = 0; j < values.length && expected === null; j++) {
          for (let i = 0; i < j; i++) {
            if (values[i] === values[j]) {
              expected = [i, j];
              break;
            }
          }
        }
        expect(findDuplicate(values)).toEqual(expected);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('checkUnique names the repeated value', () => {
    const e = thrown(() => checkUnique([1, 2, 2], { file: 'a', line: 2, what: 'feature id', code: 'BAD_LETOR_LINE' }));
    expect(e).toMatchObject({ code: 'BAD_LETOR_LINE', file: 'a', line: 2 });
    expect(e.message).toContain('feature id 2 appears twice');
  });

  it('ioError maps an error object to code IO with the path and the cause', () => {
    const cause = Object.assign(new Error('name too long'), { code: 'ENAMETOOLONG' });
    const e = ioError(cause, '/tmp/x', 'open');
    expect(e).toMatchObject({ code: 'IO', file: '/tmp/x' });
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('cannot open /tmp/x: ENAMETOOLONG: name too long');
    const already = new UnbiasedError('BAD_INPUT', 'x');
    expect(ioError(already, '/tmp/x')).toBe(already);
  });
});

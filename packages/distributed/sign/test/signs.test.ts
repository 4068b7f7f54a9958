import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyVote, decodeMessage, encodeMessage, majorityVote, packSigns, signBallot, unpackSigns, voteAt, wordsFor, zeroSignState } from '../src/index.js';

/** Float64 reference of the vote: sign of the sum of +-1 ballots (0 on a tie). */
function referenceVote(ballots: number[][], n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sign(ballots.reduce((s, b) => s + (b[i] as number), 0)));
}

const signVector = (n: number) => fc.array(fc.constantFrom(-1, 1), { minLength: n, maxLength: n });

describe('packSigns / unpackSigns', () => {
  it('packs 32 signs per word, bit i%32 of word i>>5 set for >= 0, and round-trips', () => {
    const values = [1, -1, 0, -0.5, 2, ...Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? -1 : 1))];
    const words = packSigns(values);
    expect(words.length).toBe(2);
    let expectedFirst = 0;
    for (let b = 0; b < 32; b++) if ((values[b] as number) >= 0) expectedFirst += 2 ** b;
    expect(words[0]).toBe(expectedFirst);
    expect(Array.from(unpackSigns(words, values.length))).toEqual(values.map((v) => (v >= 0 ? 1 : -1)));
  });

  it('round-trips any +-1 vector (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }).chain((n) => signVector(n)),
        (signs) => {
          expect(Array.from(unpackSigns(packSigns(signs), signs.length))).toEqual(signs);
        },
      ),
    );
  });

  it('throws NON_FINITE on NaN and SHAPE_MISMATCH on a wrong output', () => {
    expect(() => packSigns([1, Number.NaN])).toThrow(expect.objectContaining({ code: 'NON_FINITE' }));
    expect(() => packSigns([1, 2], new Uint32Array(2))).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });
});

describe('majorityVote', () => {
  it('equals sign(sum of ballots) with ties at 0, for 1..9 ballots (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 130 }),
        fc.infiniteStream(fc.constantFrom(-1, 1)),
        (k, n, stream) => {
          const it = stream[Symbol.iterator]();
          const ballots = Array.from({ length: k }, () => Array.from({ length: n }, () => it.next().value as number));
          const vote = majorityVote(
            ballots.map((b) => packSigns(b)),
            n,
          );
          const expected = referenceVote(ballots, n);
          expect(Array.from({ length: n }, (_, i) => voteAt(vote, i) + 0)).toEqual(expected.map((v) => v + 0));
          // bits past n stay clear
          const tail = n % 32;
          if (tail) expect(((vote.positive[wordsFor(n) - 1] as number) | (vote.negative[wordsFor(n) - 1] as number)) >>> tail).toBe(0);
        },
      ),
    );
  });

  it('needs at least one ballot of the right length', () => {
    expect(() => majorityVote([], 3)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => majorityVote([new Uint32Array(2)], 3)).toThrow(expect.objectContaining({ code: 'SHAPE_MISMATCH' }));
  });
});

describe('applyVote', () => {
  it('p <- p - lr (vote + wd p) in float32, against a float64 reference rounded at the same points', () => {
    const params = Float32Array.from([0.5, -0.25, 1.5, 3, -2]);
    const ballots = [
      [1, -1, 1, -1, 1],
      [1, -1, -1, 1, 1],
    ];
    const vote = majorityVote(
      ballots.map((b) => packSigns(b)),
      5,
    ); // [1, -1, 0, 0, 1]
    const lr = 0.01;
    const wd = 0.1;
    const expected = Array.from(params, (p, i) => {
      const v = [1, -1, 0, 0, 1][i] as number;
      return Math.fround(p - Math.fround(Math.fround(lr) * Math.fround(v + Math.fround(Math.fround(wd) * p))));
    });
    applyVote(params, vote, { learningRate: lr, weightDecay: wd });
    expect(Array.from(params)).toEqual(expected);
  });
});

describe('protocol messages', () => {
  it('round-trip through the binary encoding', () => {
    const words = Uint32Array.from([1, 2, 0xffffffff]);
    const ballot = { type: 'ballot' as const, step: 7, rank: 3, incarnation: 'abc', words };
    expect(decodeMessage(encodeMessage(ballot))).toEqual(ballot);
    const round = {
      type: 'round' as const,
      step: 8,
      previous: { step: 7, vote: { positive: Uint32Array.from([5]), negative: Uint32Array.from([10]) }, voters: [{ rank: 0, incarnation: 'x' }] },
    };
    expect(decodeMessage(encodeMessage(round))).toEqual(round);
    expect(decodeMessage(encodeMessage({ type: 'round', step: 1, previous: null }))).toEqual({ type: 'round', step: 1, previous: null });
    expect(() => decodeMessage(Uint8Array.from([1, 2, 3]))).toThrow(expect.objectContaining({ code: 'BAD_MESSAGE' }));
  });
});

describe('signBallot', () => {
  it('throws NON_FINITE naming the coordinate of a NaN or infinite gradient', () => {
    const rule = { kind: 'deterministic' as const, beta1: 0, envelopeDecay: 1, noiseScale: 0, noiseKey: [0, 0] as const };
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const g = Float32Array.from([1, -1, bad]);
      expect(() => signBallot(g, zeroSignState(3), zeroSignState(3), 1, rule, new Uint32Array(1))).toThrow(
        expect.objectContaining({ code: 'NON_FINITE', message: expect.stringContaining('gradient[2]') }),
      );
    }
    // beta1 = 0: the ballot is the sign of the gradient itself
    expect(Array.from(signBallot(Float32Array.from([1, -1, 0, -2]), zeroSignState(4), zeroSignState(4), 1, rule, new Uint32Array(1)))).toEqual([0b0101]);
  });
});

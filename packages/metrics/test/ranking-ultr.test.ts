import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baiduEvaluation } from '../src/ranking/baidu-evaluation.js';
import { dcgAtK, ndcgAtK } from '../src/ranking/dcg.js';
import { errAtK } from '../src/ranking/err.js';
import { pairCounts, positiveNegativeRatio } from '../src/ranking/pnr.js';
import { meanReciprocalRank, reciprocalRank } from '../src/ranking/reciprocal-rank.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Spec 02 §0 test vectors. Labels already in ranked order: scores 6..1 put them in that order.
const LABELS = [3, 2, 3, 0, 1, 2];
const SCORES = [6, 5, 4, 3, 2, 1];
const L3 = Math.log2(3);
const L5 = Math.log2(5);
const L6 = Math.log2(6);
const L7 = Math.log2(7);

describe('spec 02 §0 vectors: labels [3,2,3,0,1,2] in ranked order', () => {
  // Hand computation (gain 2^y - 1, discount 1/log2(rank + 1)):
  // DCG@3 = 7/1 + 3/log2(3) + 7/2 = 12.392789260714372
  // DCG@6 = DCG@3 + 0/log2(5) + 1/log2(6) + 3/log2(7) = 13.848330469594506
  // ideal order [3,3,2,2,1,0]: IDCG@3 = 7 + 7/log2(3) + 3/2 = 12.916508275000202
  // IDCG@6 = IDCG@3 + 3/log2(5) + 1/log2(6) + 0 = 14.595395021006286
  const dcg3 = 7 + 3 / L3 + 7 / 2;
  const dcg6 = dcg3 + 1 / L6 + 3 / L7;
  const idcg3 = 7 + 7 / L3 + 3 / 2;
  const idcg6 = idcg3 + 3 / L5 + 1 / L6;

  it('DCG@3 = 12.3928, DCG@6 = 13.8483', () => {
    expectClose(dcgAtK(SCORES, LABELS, { k: 3 }), dcg3);
    expectClose(dcgAtK(SCORES, LABELS, { k: 6 }), dcg6);
    expectClose(dcgAtK(SCORES, LABELS, { k: 3 }), 12.3928, 5e-5);
    expectClose(dcgAtK(SCORES, LABELS, { k: 6 }), 13.8483, 5e-5);
  });

  it('nDCG@3 = 0.9595, nDCG@6 = 0.9488', () => {
    expectClose(ndcgAtK(SCORES, LABELS, { k: 3 }), dcg3 / idcg3);
    expectClose(ndcgAtK(SCORES, LABELS, { k: 6 }), dcg6 / idcg6);
    expectClose(ndcgAtK(SCORES, LABELS, { k: 3 }), 0.9595, 5e-5);
    expectClose(ndcgAtK(SCORES, LABELS, { k: 6 }), 0.9488, 5e-5);
  });

  it('ERR@3 = 0.5569, ERR@6 = 0.5676 (R = (2^y - 1)/16)', () => {
    // R = [7/16, 3/16, 7/16, 0, 1/16, 3/16]
    // ERR@3 = 7/16 + (1/2)(3/16)(9/16) + (1/3)(7/16)(9/16)(13/16) = 0.556884765625
    const err3 = 7 / 16 + (1 / 2) * (3 / 16) * (9 / 16) + (1 / 3) * (7 / 16) * (9 / 16) * (13 / 16);
    // reach after rank 3 = (9/16)(13/16)(9/16); rank 4 adds 0; rank 5 adds (1/5)(1/16)reach; rank 6 (1/6)(3/16)reach(15/16)
    const reach = (9 / 16) * (13 / 16) * (9 / 16);
    const err6 = err3 + (1 / 5) * (1 / 16) * reach + (1 / 6) * (3 / 16) * reach * (15 / 16);
    expectClose(errAtK(SCORES, LABELS, { k: 3 }), err3);
    expectClose(errAtK(SCORES, LABELS, { k: 6 }), err6);
    expectClose(errAtK(SCORES, LABELS, { k: 3 }), 0.5569, 5e-5);
    expectClose(errAtK(SCORES, LABELS, { k: 6 }), 0.5676, 5e-5);
  });
});

describe("ndcgAtK shortLists: 'skip' (Baidu-ULTR rule)", () => {
  it('a list shorter than k is NaN for nDCG; DCG still scores it', () => {
    // 3 documents, k = 5: skipped
    expect(ndcgAtK([3, 2, 1], [1, 0, 2], { k: 5, shortLists: 'skip' })).toBeNaN();
    // DCG of the same list: 1 + 0 + 3/2 = 2.5
    expectClose(dcgAtK([3, 2, 1], [1, 0, 2], { k: 5 }), 2.5);
    // exactly k documents is scored: DCG@3 = 2.5, IDCG@3 = 3 + 1/log2(3)
    expectClose(ndcgAtK([3, 2, 1], [1, 0, 2], { k: 3, shortLists: 'skip' }), 2.5 / (3 + 1 / L3));
    // default 'keep' and no k: unchanged behaviour
    expectClose(ndcgAtK([3, 2, 1], [1, 0, 2], { k: 5 }), 2.5 / (3 + 1 / L3 + 0));
    expectClose(ndcgAtK([3, 2, 1], [1, 0, 2], { shortLists: 'skip' }), 2.5 / (3 + 1 / L3));
  });
  it('an unknown rule names the option', () => {
    expectUnbiasedError(() => ndcgAtK([1], [1], { shortLists: 'drop' as 'skip' }), 'INVALID_ARGUMENT', 'shortLists');
  });
});

describe('reciprocalRank / meanReciprocalRank', () => {
  it('hand-computed values', () => {
    // ranked: doc1 (0.9, 0), doc2 (0.7, 2), doc0 (0.1, 1): first relevant at rank 2
    expect(reciprocalRank([0.1, 0.9, 0.7], [1, 0, 2])).toBe(0.5);
    // relevantAbove 1: only doc2 (label 2) is relevant, rank 2
    expect(reciprocalRank([0.1, 0.9, 0.7], [1, 0, 2], { relevantAbove: 1 })).toBe(0.5);
    // cutoff above the first relevant rank -> 0
    expect(reciprocalRank([0.1, 0.9, 0.7], [1, 0, 2], { k: 1 })).toBe(0);
    // ties: pessimistic puts the non-relevant first -> rank 2; index keeps input order -> rank 1
    expect(reciprocalRank([1, 1], [1, 0])).toBe(0.5);
    expect(reciprocalRank([1, 1], [1, 0], { ties: 'index' })).toBe(1);
    // no relevant document
    expect(reciprocalRank([1, 2], [0, 0])).toBe(0);
    expect(reciprocalRank([1, 2], [0, 0], { noRelevant: 'skip' })).toBeNaN();
    // MRR = (1/2 + 1/3 + 1) / 3
    const queries = [
      { scores: [0.1, 0.9, 0.7], relevance: [1, 0, 2] },
      { scores: [3, 2, 1], relevance: [0, 0, 1] },
      { scores: [5, 1], relevance: [1, 1] },
    ];
    expectClose(meanReciprocalRank(queries), (1 / 2 + 1 / 3 + 1) / 3);
    expectClose(meanReciprocalRank([...queries, { scores: [1], relevance: [0] }], { noRelevant: 'skip' }), (1 / 2 + 1 / 3 + 1) / 3);
  });
  it('bad input names the argument; ties average is refused', () => {
    expectUnbiasedError(() => reciprocalRank([1, 2], [1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => reciprocalRank([1], [1], { ties: 'average' as 'index' }), 'INVALID_ARGUMENT', 'ties');
    expectUnbiasedError(() => meanReciprocalRank([{ scores: [1], relevance: [Number.NaN] }]), 'BAD_INPUT', 'queries[0].relevance');
    expectUnbiasedError(() => meanReciprocalRank([]), 'BAD_INPUT', 'queries');
  });
});

describe('PNR', () => {
  /** Reference: count pairs with products of differences, straight from the definition. */
  function referencePairs(s: number[], y: number[]): [number, number] {
    let c = 0;
    let d = 0;
    for (let i = 0; i < s.length; i++) {
      for (let j = i + 1; j < s.length; j++) {
        const p = ((s[i] as number) - (s[j] as number)) * ((y[i] as number) - (y[j] as number));
        if (p > 0) c++;
        if (p < 0) d++;
      }
    }
    return [c, d];
  }

  it('hand-computed pooled value, ties ignored', () => {
    // q1: (0,1) C, (0,2) C, (1,2) D. q2: (0,1) score tie, (0,2) D, (1,2) label tie.
    expect(pairCounts([3, 2, 1], [2, 0, 1])).toEqual({ concordant: 2, discordant: 1, tied: 0 });
    expect(pairCounts([1, 1, 0], [0, 1, 1])).toEqual({ concordant: 0, discordant: 1, tied: 2 });
    const queries = [
      { scores: [3, 2, 1], relevance: [2, 0, 1] },
      { scores: [1, 1, 0], relevance: [0, 1, 1] },
    ];
    expect(positiveNegativeRatio(queries)).toBe(2 / (2 + 1e-8));
    expect(positiveNegativeRatio(queries, { eps: 0 })).toBe(1);
    // no discordant pair: 1 / 1e-8
    expect(positiveNegativeRatio([{ scores: [2, 1], relevance: [1, 0] }])).toBe(1 / 1e-8);
    expect(positiveNegativeRatio([{ scores: [-Infinity, Infinity], relevance: [0, 1] }], { eps: 0 })).toBe(Infinity);
  });

  it('matches the reference pair count, and reversing the scores swaps the counts', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 4 })), { maxLength: 12 }),
        (pairs) => {
          const s = pairs.map((p) => p[0]);
          const y = pairs.map((p) => p[1]);
          const [c, d] = referencePairs(s, y);
          const counts = pairCounts(s, y);
          expect([counts.concordant, counts.discordant]).toEqual([c, d]);
          expect(counts.concordant + counts.discordant + counts.tied).toBe(s.length < 2 ? 0 : (s.length * (s.length - 1)) / 2);
          const reversed = pairCounts(s.map((v) => -v), y);
          expect([reversed.concordant, reversed.discordant]).toEqual([d, c]);
        },
      ),
    );
  });
});

describe('baiduEvaluation', () => {
  it('DCG over all queries, nDCG and ERR only over lists with >= k documents, pooled PNR', () => {
    const long = { scores: SCORES, relevance: LABELS }; // 6 docs
    const short = { scores: [2, 1], relevance: [0, 2] }; // 2 docs, ranked labels [0, 2]
    const result = baiduEvaluation([long, short], { ks: [1, 3] });
    // DCG@1: long 7, short 0 -> 3.5. DCG@3: long 12.3928..., short 0 + 3/log2(3).
    expectClose(result.dcg[1] as number, 3.5);
    expectClose(result.dcg[3] as number, (7 + 3 / L3 + 7 / 2 + 3 / L3) / 2);
    // nDCG@1: long 7/7 = 1, short 0/3 = 0 -> 0.5; nDCG@3: short skipped -> long only.
    expectClose(result.ndcg[1] as number, 0.5);
    expectClose(result.ndcg[3] as number, (7 + 3 / L3 + 7 / 2) / (7 + 7 / L3 + 3 / 2));
    expect(result.counts).toEqual({ queries: 2, ndcg: { 1: 2, 3: 1 }, err: { 1: 2, 3: 1 } });
    // ERR@1: long 7/16, short 0 -> 7/32
    expectClose(result.err[1] as number, 7 / 32);
    // PNR: long (by pair counting of [3,2,3,0,1,2] in ranked order): concordant pairs have the higher label first.
    // label pairs (i<j): 3>2 C, 3=3 T, 3>0 C, 3>1 C, 3>2 C (4 C); 2<3 D, 2>0 C, 2>1 C, 2=2 T (2 C, 1 D);
    // 3>0 C, 3>1 C, 3>2 C (3 C); 0<1 D, 0<2 D (2 D); 1<2 D (1 D) -> C = 9, D = 4; short: (0 then 2) -> D = 1.
    expect(result.pnr).toBe(9 / (5 + 1e-8));
  });
  it('bad cutoffs are INVALID_ARGUMENT', () => {
    expectUnbiasedError(() => baiduEvaluation([{ scores: [1], relevance: [1] }], { ks: [0] }), 'INVALID_ARGUMENT', 'ks');
  });
});

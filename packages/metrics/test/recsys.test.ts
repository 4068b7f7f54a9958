import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateTopKByUser, medianCount, rareItemMask, saitoDcgAtK, saitoMapAtK, saitoRecallAtK } from '../src/recsys/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Spec 03 §0 test vector: binary relevance in ranked order [0,1,1,0,1]. Scores 5..1 give exactly that order.
const scores = [5, 4, 3, 2, 1];
const rel = [0, 1, 1, 0, 1];
// Saito discounts by 1-based rank r: r=1 -> 1, r=2 -> 1/log2(2) = 1, r=3 -> 1/log2(3) = 0.6309297535714574,
// r=4 -> 1/log2(4) = 0.5, r=5 -> 1/log2(5) = 0.43067655807339306.
const D3 = 1 / Math.log2(3);
const D5 = 1 / Math.log2(5);

describe('saitoDcgAtK', () => {
  it('reproduces the spec vectors', () => {
    // DCG@3 = 0*1 + 1*1 + 1*0.6309297535714574 = 1.6309297535714575 (spec: 1.6309)
    expectClose(saitoDcgAtK(scores, rel, { k: 3, normalise: false }), 1 + D3);
    expect(saitoDcgAtK(scores, rel, { k: 3, normalise: false })).toBeCloseTo(1.6309, 4);
    // ÷ sum rel = 3: 0.5436432511904858 (spec: 0.5436)
    expectClose(saitoDcgAtK(scores, rel, { k: 3 }), (1 + D3) / 3);
    expect(saitoDcgAtK(scores, rel, { k: 3 })).toBeCloseTo(0.5436, 4);
    // DCG@5 = 1 + 0.6309297535714574 + 0 + 0.43067655807339306 = 2.0616063116448506; ÷3 = 0.6872021038816169 (spec: 0.6872)
    expectClose(saitoDcgAtK(scores, rel, { k: 5 }), (1 + D3 + D5) / 3);
    expect(saitoDcgAtK(scores, rel, { k: 5 })).toBeCloseTo(0.6872, 4);
  });

  it('rel = 0.001 + 0.999 y smoothing (WSDM real-world repo), unnormalised', () => {
    // smoothed ranked relevance [0.001, 1, 1, 0.001, 1]
    // DCG@3 = 0.001 + 1 + 0.6309297535714574 = 1.6319297535714575
    expectClose(saitoDcgAtK(scores, rel, { k: 3, normalise: false, smoothing: 0.001 }), 0.001 + 1 + D3);
    // DCG@5 = 0.001 + 1 + 0.6309297535714574 + 0.001*0.5 + 0.43067655807339306 = 2.0631063116448507
    expectClose(saitoDcgAtK(scores, rel, { k: 5, normalise: false, smoothing: 0.001 }), 0.001 + 1 + D3 + 0.0005 + D5);
    // normalised by the smoothed total 3.002
    expectClose(saitoDcgAtK(scores, rel, { k: 5, smoothing: 0.001 }), (0.001 + 1 + D3 + 0.0005 + D5) / 3.002);
  });

  it('ranks by score whatever the input order; k beyond the list is the full list', () => {
    // Same ranking as above, rows shuffled: (score, rel) pairs.
    const s = [2, 5, 1, 3, 4];
    const r = [0, 0, 1, 1, 1];
    expectClose(saitoDcgAtK(s, r, { k: 5 }), (1 + D3 + D5) / 3);
    expectClose(saitoDcgAtK(s, r, { k: 50 }), saitoDcgAtK(s, r, { k: 5 }));
    expectClose(saitoDcgAtK(s, r), saitoDcgAtK(s, r, { k: 5 }));
    // k = 1: only the top item (score 5, rel 0)
    expect(saitoDcgAtK(s, r, { k: 1 })).toBe(0);
    // k = 2: ranks 1 and 2 both have discount 1: (0 + 1) / 3
    expectClose(saitoDcgAtK(s, r, { k: 2 }), 1 / 3);
  });

  it('a list without relevance: skip (NaN) by default, or zero / one; unnormalised gives 0', () => {
    expect(saitoDcgAtK([1, 2], [0, 0], { k: 2 })).toBeNaN();
    expect(saitoDcgAtK([1, 2], [0, 0], { k: 2, noRelevant: 'zero' })).toBe(0);
    expect(saitoDcgAtK([1, 2], [0, 0], { k: 2, noRelevant: 'one' })).toBe(1);
    expect(saitoDcgAtK([1, 2], [0, 0], { k: 2, normalise: false })).toBe(0);
  });

  it('ties: pessimistic puts the relevant item last within the tie, index keeps input order, average is the mean', () => {
    // Two tied items, one relevant. k = 1.
    expect(saitoDcgAtK([1, 1], [1, 0], { k: 1 })).toBe(0);
    expect(saitoDcgAtK([1, 1], [1, 0], { k: 1, ties: 'index' })).toBe(1);
    expectClose(saitoDcgAtK([1, 1], [1, 0], { k: 1, ties: 'average' }), 0.5);
  });

  it('bad input names the argument', () => {
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => saitoDcgAtK([1, Number.NaN], [1, 0]), 'BAD_INPUT', 'scores');
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1, -1]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1, 0], { k: 0 }), 'INVALID_ARGUMENT', 'k');
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1, 0], { smoothing: 1 }), 'INVALID_ARGUMENT', 'smoothing');
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1, 0], { normalise: 'yes' as unknown as boolean }), 'INVALID_ARGUMENT', 'normalise');
    expectUnbiasedError(() => saitoDcgAtK([1, 2], [1, 0], { noRelevant: 'nan' as 'skip' }), 'INVALID_ARGUMENT', 'noRelevant');
  });

  it('normalised DCG of binary relevance lies in [0, 1] and is at most recall-weighted (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 40 }),
        (rows, k) => {
          const s = rows.map((r) => r[0]);
          const r = rows.map((x) => x[1]);
          const v = saitoDcgAtK(s, r, { k });
          if (r.every((x) => x === 0)) return Number.isNaN(v);
          // every discount is <= 1, so DCG@k <= hits@k and DCG@k / sum rel <= Recall@k <= 1
          return v >= 0 && v <= saitoRecallAtK(s, r, { k }) + 1e-12 && v <= 1 + 1e-12;
        },
      ),
    );
  });
});

describe('saitoRecallAtK', () => {
  it('hand-checked values', () => {
    expect(saitoRecallAtK(scores, rel, { k: 1 })).toBe(0);
    expectClose(saitoRecallAtK(scores, rel, { k: 3 }), 2 / 3);
    expect(saitoRecallAtK(scores, rel, { k: 5 })).toBe(1);
    expect(saitoRecallAtK([1, 2], [0, 0])).toBeNaN();
    expect(saitoRecallAtK([1, 2], [0, 0], { noRelevant: 'zero' })).toBe(0);
  });

  it('is non-decreasing in k (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 20 }), (rows) => {
        const s = rows.map((r) => r[0]);
        const r = rows.map((x) => x[1]);
        if (r.every((x) => x === 0)) return true;
        let previous = -1;
        for (let k = 1; k <= rows.length; k++) {
          const v = saitoRecallAtK(s, r, { k });
          if (v < previous) return false;
          previous = v;
        }
        return previous === 1;
      }),
    );
  });
});

describe('saitoMapAtK', () => {
  it('reproduces the spec vectors', () => {
    // MAP@3 = (1/2) at rank 2 + (2/3) at rank 3 = 1.1666666666666665 (spec: 1.1667)
    expectClose(saitoMapAtK(scores, rel, { k: 3, normalise: false }), 1 / 2 + 2 / 3);
    // ÷3 = 0.38888888888888884 (spec: 0.3889)
    expectClose(saitoMapAtK(scores, rel, { k: 3 }), (1 / 2 + 2 / 3) / 3);
    // MAP@5 adds 3/5 at rank 5: (0.5 + 0.6666666666666666 + 0.6) / 3 = 0.5888888888888889 (spec: 0.5889)
    expectClose(saitoMapAtK(scores, rel, { k: 5 }), (1 / 2 + 2 / 3 + 3 / 5) / 3);
    expect(saitoMapAtK(scores, rel, { k: 5 })).toBeCloseTo(0.5889, 4);
  });

  it('needs binary relevance and refuses average ties', () => {
    expectUnbiasedError(() => saitoMapAtK([1, 2], [2, 0]), 'BAD_INPUT', 'relevance');
    expectUnbiasedError(() => saitoMapAtK([1, 2], [1, 0], { ties: 'average' as 'index' }), 'INVALID_ARGUMENT', 'ties');
    expect(saitoMapAtK([1, 2], [0, 0])).toBeNaN();
    expect(saitoMapAtK([1, 2], [0, 0], { normalise: false })).toBe(0);
  });
});

describe('evaluateTopKByUser and the rare-item breakdown', () => {
  // user 7: items 0..4 with the spec's list; user 3: items 1, 3 with one relevant at rank 2; user 9: no relevant.
  const test = {
    users: [7, 7, 3, 7, 7, 7, 3, 9],
    items: [0, 1, 1, 2, 3, 4, 3, 2],
    scores: [5, 4, 0.2, 3, 2, 1, 0.9, 1],
    relevance: [0, 1, 1, 1, 0, 1, 0, 0],
  };

  it('averages over users with relevance and counts them', () => {
    const { values, counts, users } = evaluateTopKByUser(test, { ks: [1, 3] });
    expect(users).toBe(3);
    // user 7: DCG@3 = (1 + D3)/3; user 3: ranked rel [0, 1] -> DCG@3 = 1/1 = 1 (rank 2 has discount 1)
    expectClose(values['dcg@3'] as number, ((1 + D3) / 3 + 1) / 2);
    expect(counts['dcg@3']).toBe(2);
    // Recall@1: both 0
    expect(values['recall@1']).toBe(0);
    // MAP@3: user 7: (1/2 + 2/3)/3; user 3: (1/2)/1
    expectClose(values['map@3'] as number, ((1 / 2 + 2 / 3) / 3 + 0.5) / 2);
  });

  it('an item mask keeps only those items in each user list', () => {
    // keep items 1 and 4 only: user 7 -> [item1 score 4 rel 1, item4 score 1 rel 1] -> DCG@1 = 1/2; user 3 -> [item1 rel 1] -> 1
    const mask = [0, 1, 0, 0, 1];
    const { values, users } = evaluateTopKByUser(test, { ks: [1], itemFilter: mask, metrics: ['dcg'] });
    expect(users).toBe(2);
    expectClose(values['dcg@1'] as number, (0.5 + 1) / 2);
    expect(Object.keys(values)).toEqual(['dcg@1']);
    const viaPredicate = evaluateTopKByUser(test, { ks: [1], itemFilter: (i) => i === 1 || i === 4, metrics: ['dcg'] });
    expect(viaPredicate.values).toEqual(values);
  });

  it('is invariant to the order of the rows (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(Array.from({ length: 8 }, (_, i) => i), { minLength: 8, maxLength: 8 }), (perm) => {
        const shuffled = {
          users: perm.map((i) => test.users[i] as number),
          items: perm.map((i) => test.items[i] as number),
          scores: perm.map((i) => test.scores[i] as number),
          relevance: perm.map((i) => test.relevance[i] as number),
        };
        const a = evaluateTopKByUser(test, { ks: [1, 2, 3, 5] }).values;
        const b = evaluateTopKByUser(shuffled, { ks: [1, 2, 3, 5] }).values;
        return Object.keys(a).every((k) => Math.abs((a[k] as number) - (b[k] as number)) < 1e-12);
      }),
    );
  });

  it('bad input', () => {
    expectUnbiasedError(() => evaluateTopKByUser({ ...test, items: [0, 1] }), 'BAD_INPUT', 'items');
    expectUnbiasedError(() => evaluateTopKByUser({ ...test, users: [7, 7, 3, 7, 7, 7, 3, 9.5] }), 'BAD_INPUT', 'users');
    expectUnbiasedError(() => evaluateTopKByUser(test, { ks: [0] }), 'INVALID_ARGUMENT', 'ks');
    expectUnbiasedError(() => evaluateTopKByUser(test, { metrics: ['ndcg' as 'dcg'] }), 'INVALID_ARGUMENT', 'metrics');
    expectUnbiasedError(() => evaluateTopKByUser(test, { itemFilter: [1, 1] }), 'BAD_INPUT', 'itemFilter');
  });

  it('rareItemMask: <= median (mean of the middle two for an even count) or <= a fixed count', () => {
    // counts sorted [0, 2, 5, 9] -> median (2 + 5)/2 = 3.5
    expect(medianCount([9, 0, 5, 2])).toBe(3.5);
    expect(Array.from(rareItemMask([9, 0, 5, 2]))).toEqual([0, 1, 0, 1]);
    // odd count: sorted [1, 4, 7] -> median 4, inclusive
    expect(Array.from(rareItemMask([7, 4, 1]))).toEqual([0, 1, 1]);
    expect(Array.from(rareItemMask([600, 500, 501], { maxCount: 500 }))).toEqual([0, 1, 0]);
    expectUnbiasedError(() => rareItemMask([1, -1]), 'BAD_INPUT', 'itemCounts');
    expectUnbiasedError(() => rareItemMask([1], { maxCount: Number.NaN }), 'INVALID_ARGUMENT', 'maxCount');
  });
});

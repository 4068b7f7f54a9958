import { Rng } from '@unbiased/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BAIDU_LIKE_EXAMINATION,
  CascadeModel,
  clickProbabilitiesByGrade,
  clickProbabilityGivenRelevance,
  displayOrder,
  EYE_TRACKING_EXAMINATION,
  estimateRandListPropensity,
  PositionBasedModel,
  propensityFromClickCounts,
  simulateClicks,
  UserBrowsingModel,
} from '../src/index.js';
import { caughtSync, expectBinomialWithin } from './helpers.js';

// Independent references, written out from the spec (02 §1 "Click simulation").
const RHO = [0.68, 0.61, 0.48, 0.34, 0.28, 0.2, 0.11, 0.1, 0.08, 0.06];
/** P(c | o = 1, y) for (eps-, eps+, maxGrade) = (0.1, 1.0, 4): a + 2^y b, b = 0.9/15 = 0.06, a = 0.04. */
const CLICK_PROB = [0.1, 0.16, 0.28, 0.52, 1.0];

describe('click noise', () => {
  it('clickProb(0.1, 1, 4) = [0.1, 0.16, 0.28, 0.52, 1.0]', () => {
    const byGrade = clickProbabilitiesByGrade();
    expect(byGrade.length).toBe(5);
    for (let g = 0; g < 5; g++) expect(Math.abs((byGrade[g] as number) - (CLICK_PROB[g] as number))).toBeLessThanOrEqual(1e-15);
  });
  it('equals the a + 2^y b form for other parameters', () => {
    // eps- = 0.05, eps+ = 0.95, maxGrade 2: b = 0.9 / 3 = 0.3, a = 0.05 - 0.3 = -0.25
    const p = clickProbabilitiesByGrade({ epsMinus: 0.05, epsPlus: 0.95, maxGrade: 2 });
    expect(Array.from(p).map((x) => Number(x.toFixed(12)))).toEqual([0.05, 0.35, 0.95]);
    expect(clickProbabilityGivenRelevance(1)).toBeCloseTo(0.16, 15);
  });
  it('grades outside [0, maxGrade] and bad options are rejected', () => {
    expect(caughtSync(() => new PositionBasedModel().clickProbabilities([5])).code).toBe('BAD_INPUT');
    expect(caughtSync(() => new PositionBasedModel().clickProbabilities([-1])).code).toBe('BAD_INPUT');
    expect(caughtSync(() => new PositionBasedModel().clickProbabilities([Number.NaN])).code).toBe('BAD_INPUT');
    expect(caughtSync(() => new PositionBasedModel({ epsPlus: 1.5 })).field).toBe('epsPlus');
    expect(caughtSync(() => new PositionBasedModel({ exam: { powerLaw: 1 }, eta: 2 })).field).toBe('eta');
    expect(caughtSync(() => new PositionBasedModel({ exam: 'nope' as 'baidu' })).field).toBe('exam');
  });
});

describe('position-based model', () => {
  it('eye-tracking examination, eta = 1 and eta = 2 (the square of rho)', () => {
    expect(Array.from(EYE_TRACKING_EXAMINATION)).toEqual(RHO);
    expect(Array.from(new PositionBasedModel().propensity)).toEqual(RHO);
    const squared = new PositionBasedModel({ eta: 2 }).propensity;
    for (let i = 0; i < 10; i++) expect(squared[i]).toBeCloseTo((RHO[i] as number) * (RHO[i] as number), 15);
  });
  it('ranks beyond 10 reuse the last value; power law is (1/i)^eta; Baidu-like vector', () => {
    const pbm = new PositionBasedModel();
    expect(pbm.examination(13)[12]).toBe(0.06);
    const power = new PositionBasedModel({ exam: { powerLaw: 1.5 }, ranks: 4 });
    expect(Array.from(power.propensity)).toEqual([1, 0.5 ** 1.5, (1 / 3) ** 1.5, 0.25 ** 1.5]);
    expect(Array.from(new PositionBasedModel({ exam: 'baidu' }).propensity)).toEqual([1, 0.674, 0.414, 0.293, 0.208, 0.171, 0.136, 0.117, 0.084, 0.058]);
    expect(BAIDU_LIKE_EXAMINATION[1]).toBe(0.674);
    expect(new PositionBasedModel({ exam: { vector: [0.9, 0.5] } }).propensity.length).toBe(2);
  });
  it('click probability factorises into examination(rank) * P(click | relevance)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 15 }), fc.double({ min: 0, max: 3, noNaN: true }), (labels, eta) => {
        const p = new PositionBasedModel({ eta }).clickProbabilities(labels);
        for (let i = 0; i < labels.length; i++) {
          const expected = (RHO[Math.min(i, 9)] as number) ** eta * (CLICK_PROB[labels[i] as number] as number);
          expect(Math.abs((p[i] as number) - expected)).toBeLessThanOrEqual(1e-15);
        }
      }),
    );
  });
  it('empirical CTR with all y = 4 is rho_i^eta (100k lists, within 5 sigma)', () => {
    for (const eta of [1, 2]) {
      const model = new PositionBasedModel({ eta });
      const rng = Rng.fromSeed(11 + eta);
      const lists = 100_000;
      const counts = new Float64Array(10);
      const labels = new Array(10).fill(4);
      for (let s = 0; s < lists; s++) {
        const c = model.sample(labels, rng);
        for (let i = 0; i < 10; i++) counts[i]! += c[i] as number;
      }
      for (let i = 0; i < 10; i++) expectBinomialWithin(counts[i] as number, lists, (RHO[i] as number) ** eta, 5, `eta ${eta} rank ${i + 1}`);
    }
  });
  it('a list that cannot be clicked (eps- = 0, all y = 0) gives zero probabilities and no clicks', () => {
    const model = new PositionBasedModel({ epsMinus: 0 });
    expect(Array.from(model.clickProbabilities([0, 0, 0]))).toEqual([0, 0, 0]);
    const rng = Rng.fromSeed(3);
    for (let s = 0; s < 100; s++) expect(Array.from(model.sample([0, 0, 0], rng))).toEqual([0, 0, 0]);
    expect(model.sample([], rng).length).toBe(0);
  });
  it('the same seed gives the same sessions', () => {
    const model = new PositionBasedModel();
    expect(Array.from(model.sample([4, 3, 2, 1, 0], Rng.fromSeed(9)))).toEqual(Array.from(model.sample([4, 3, 2, 1, 0], Rng.fromSeed(9))));
  });
});

describe('cascade model', () => {
  it('P(c_i) = a_i prod_{j<i}(1 - a_j)', () => {
    const labels = [1, 0, 4, 2, 3];
    const p = new CascadeModel().clickProbabilities(labels);
    // 0.16; 0.84*0.1 = 0.084; 0.84*0.9*1.0 = 0.756; then reach is 0 after a grade-4 document (a = 1).
    const expected = [0.16, 0.84 * 0.1, 0.84 * 0.9 * 1.0, 0, 0];
    for (let i = 0; i < 5; i++) expect(Math.abs((p[i] as number) - (expected[i] as number))).toBeLessThanOrEqual(1e-15);
  });
  it('stops after the first click: at most one click per session, never after a click', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 12 }), fc.integer({ min: 0, max: 2 ** 31 }), (labels, seed) => {
        const c = new CascadeModel().sample(labels, Rng.fromSeed(seed));
        let clicks = 0;
        for (const x of c) clicks += x;
        expect(clicks).toBeLessThanOrEqual(1);
      }),
    );
  });
  it('sampler frequencies match the probabilities within 5 sigma (50k sessions)', () => {
    const labels = [0, 2, 1, 3, 0, 2];
    const model = new CascadeModel({ epsMinus: 0.05, epsPlus: 0.9 });
    const p = model.clickProbabilities(labels);
    const rng = Rng.fromSeed(21);
    const n = 50_000;
    const counts = new Float64Array(labels.length);
    for (let s = 0; s < n; s++) {
      const c = model.sample(labels, rng);
      for (let i = 0; i < labels.length; i++) counts[i]! += c[i] as number;
    }
    for (let i = 0; i < labels.length; i++) expectBinomialWithin(counts[i] as number, n, p[i] as number, 5, `rank ${i + 1}`);
  });
});

/** Brute-force UBM marginals: enumerate all 2^n click vectors with their probabilities. */
function ubmMarginalsByEnumeration(gamma: (r: number, d: number) => number, attract: number[]): number[] {
  const n = attract.length;
  const marginals = new Array(n).fill(0);
  for (let mask = 0; mask < 1 << n; mask++) {
    let prob = 1;
    let last = 0;
    for (let r = 1; r <= n; r++) {
      const q = gamma(r, r - last) * (attract[r - 1] as number);
      const clicked = (mask >> (r - 1)) & 1;
      prob *= clicked ? q : 1 - q;
      if (clicked) last = r;
    }
    for (let r = 0; r < n; r++) if ((mask >> r) & 1) marginals[r] += prob;
  }
  return marginals;
}

describe('user browsing model', () => {
  // The ULTRA table written out again (rank r, distance d -> row r-1, column d-1).
  const TABLE = [
    [1.0],
    [0.98, 1.0],
    [1.0, 0.62, 0.95],
    [1.0, 0.77, 0.42, 0.82],
    [1.0, 0.92, 0.55, 0.31, 0.69],
    [1.0, 0.96, 0.63, 0.4, 0.22, 0.54],
  ];
  it('exact marginals match enumeration of all click vectors', () => {
    const labels = [2, 0, 4, 1, 3, 2];
    const p = new UserBrowsingModel().clickProbabilities(labels);
    const reference = ubmMarginalsByEnumeration(
      (r, d) => TABLE[r - 1]![d - 1]!,
      labels.map((y) => CLICK_PROB[y]!),
    );
    for (let i = 0; i < labels.length; i++) expect(Math.abs((p[i] as number) - (reference[i] as number))).toBeLessThanOrEqual(1e-14);
  });
  it('reduces to the PBM when examination does not depend on the distance', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 14 }), fc.integer({ min: 0, max: 2 ** 31 }), (labels, seed) => {
        const ubm = new UserBrowsingModel({ examination: (rank) => RHO[Math.min(rank, 10) - 1]! });
        const pbm = new PositionBasedModel();
        const a = ubm.clickProbabilities(labels);
        const b = pbm.clickProbabilities(labels);
        for (let i = 0; i < labels.length; i++) expect(Math.abs((a[i] as number) - (b[i] as number))).toBeLessThanOrEqual(1e-15);
        expect(Array.from(ubm.sample(labels, Rng.fromSeed(seed)))).toEqual(Array.from(pbm.sample(labels, Rng.fromSeed(seed))));
      }),
    );
  });
  it('ranks beyond the table reuse row 10 as ULTRA does', () => {
    const ubm = new UserBrowsingModel();
    // row 10 = [1, 1, 1, 0.96, 0.52, 0.36, 0.27, 0.18, 0.12, 0.43]
    expect(ubm.examinationAt(14, 14)).toBe(0.43); // no click above
    expect(ubm.examinationAt(14, 5)).toBe(0.52); // distance 5 -> column 5
    expect(ubm.examinationAt(14, 12)).toBe(0.12); // distance >= 10 -> column 9
    expect(new UserBrowsingModel({ eta: 2 }).examinationAt(3, 2)).toBeCloseTo(0.62 * 0.62, 15);
  });
  it('sampler frequencies match the exact marginals within 5 sigma (50k sessions)', () => {
    const labels = [1, 3, 0, 2, 4, 0, 1, 2, 3, 1, 0, 2];
    const model = new UserBrowsingModel();
    const p = model.clickProbabilities(labels);
    const rng = Rng.fromSeed(5);
    const n = 50_000;
    const counts = new Float64Array(labels.length);
    for (let s = 0; s < n; s++) {
      const c = model.sample(labels, rng);
      for (let i = 0; i < labels.length; i++) counts[i]! += c[i] as number;
    }
    for (let i = 0; i < labels.length; i++) expectBinomialWithin(counts[i] as number, n, p[i] as number, 5, `rank ${i + 1}`);
  });
  it('rejects a non-triangular table', () => {
    expect(caughtSync(() => new UserBrowsingModel({ examination: [[1], [0.5]] })).field).toBe('examination');
  });
});

describe('simulateClicks', () => {
  it('ranks by score descending (ties by index), cuts at topK, and reports displayed labels', () => {
    expect(Array.from(displayOrder([0.1, 0.9, 0.5, 0.9], { topK: 3 }))).toEqual([1, 3, 2]);
    const sim = simulateClicks(new PositionBasedModel(), [0, 4, 2, 3], { rng: 1, scores: [0.1, 0.9, 0.5, 0.9], topK: 3, sessions: 4 });
    expect(Array.from(sim.displayed)).toEqual([1, 3, 2]);
    expect(Array.from(sim.relevance)).toEqual([4, 3, 2]);
    expect(sim.clicks.length).toBe(12);
    expect(sim.listSize).toBe(3);
  });
  it('zero-click rules: keep, drop, resample', () => {
    const never = new PositionBasedModel({ epsMinus: 0 });
    const keep = simulateClicks(never, [0, 0], { rng: 1, sessions: 5 });
    expect(keep.sessions).toBe(5);
    expect(Array.from(keep.clicks)).toEqual(new Array(10).fill(0));
    const drop = simulateClicks(never, [0, 0], { rng: 1, sessions: 5, zeroClick: 'drop' });
    expect(drop.sessions).toBe(0);
    expect(drop.zeroClickSessions).toBe(5);
    expect(caughtSync(() => simulateClicks(never, [0, 0], { rng: 1, zeroClick: 'resample', maxAttempts: 10 })).code).toBe('ZERO_CLICK_RESAMPLE');
    const resampled = simulateClicks(new PositionBasedModel(), [0, 1, 0], { rng: 2, sessions: 200, zeroClick: 'resample' });
    expect(resampled.sessions).toBe(200);
    for (let s = 0; s < 200; s++) expect(resampled.clicks.subarray(s * 3, s * 3 + 3).some((c) => c === 1)).toBe(true);
  });
  it('is a function of the seed', () => {
    const a = simulateClicks(new CascadeModel(), [1, 2, 3, 0], { rng: 77, sessions: 20 });
    const b = simulateClicks(new CascadeModel(), [1, 2, 3, 0], { rng: Rng.fromSeed(77), sessions: 20 });
    expect(Array.from(a.clicks)).toEqual(Array.from(b.clicks));
  });
});

describe('RandList propensity estimation', () => {
  it('propensityFromClickCounts: CTR ratio to position 1', () => {
    const e = propensityFromClickCounts([50, 25, 10], [100, 100, 50]);
    expect(Array.from(e.propensity)).toEqual([1, 0.5, 0.4]);
    expect(Array.from(e.ipwWeights)).toEqual([1, 2, 2.5]);
    expect(caughtSync(() => propensityFromClickCounts([0, 1], [5, 5])).code).toBe('BAD_INPUT');
  });
  it('recovers rho_i / rho_1 of the eye-tracking PBM (eta = 1) within 5 delta-method SE', () => {
    const model = new PositionBasedModel();
    const rng = Rng.fromSeed(2024);
    const labelRng = Rng.fromSeed(7);
    const lists: number[][] = [];
    for (let q = 0; q < 10_000; q++) lists.push(Array.from({ length: 10 }, () => labelRng.int(5)));
    const sessionsPerList = 5;
    const estimate = estimateRandListPropensity(model, lists, { rng, sessionsPerList });
    const sessions = 10_000 * sessionsPerList;
    // Under random display every position sees the average attractiveness of the labels drawn.
    let meanAttract = 0;
    for (const l of lists) for (const y of l) meanAttract += CLICK_PROB[y]!;
    meanAttract /= 100_000;
    for (let i = 1; i < 10; i++) {
      const truth = RHO[i]! / RHO[0]!;
      const p1 = RHO[0]! * meanAttract;
      const pi = RHO[i]! * meanAttract;
      // Var(log(CTR_i / CTR_1)) ≈ (1 - p_i)/(N p_i) + (1 - p_1)/(N p_1) (independent rows of positions).
      const seLog = Math.sqrt((1 - pi) / (sessions * pi) + (1 - p1) / (sessions * p1));
      expect(Math.abs(Math.log(estimate.propensity[i]! / truth)), `position ${i + 1}`).toBeLessThanOrEqual(5 * seLog);
      // and the IPW weights are near the spec's 0.68 / rho_i
      expect(Math.abs(estimate.ipwWeights[i]! / (0.68 / RHO[i]!) - 1)).toBeLessThanOrEqual(0.15);
    }
    expect(estimate.impressionsByPosition[9]).toBe(sessions);
  });
});

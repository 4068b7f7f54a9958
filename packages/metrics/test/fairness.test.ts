import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averageOddsDifference,
  demographicParityDifference,
  demographicParityRatio,
  disparateImpact,
  equalizedOddsDifference,
  equalOpportunityDifference,
  fairnessReport,
  groupConfusionMatrices,
  statisticalParityDifference,
} from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

// Hand-computed example. Group 0 (unprivileged): preds [1,1,1,0], labels [1,1,0,0] -> TP 2, FP 1, TN 1, FN 0;
// selection 3/4, TPR 1, FPR 1/2. Group 1 (privileged): preds [1,0,0,0], labels [1,1,0,0] -> TP 1, FN 1, TN 2,
// FP 0; selection 1/4, TPR 1/2, FPR 0.
const predictions = [1, 1, 1, 0, 1, 0, 0, 0];
const labels = [1, 1, 0, 0, 1, 1, 0, 0];
const groups = [0, 0, 0, 0, 1, 1, 1, 1];

describe('fairness metrics: hand-computed values', () => {
  it('per-group confusion matrices', () => {
    const [u, p] = groupConfusionMatrices(predictions, labels, groups);
    expect([u?.truePositives, u?.falsePositives, u?.trueNegatives, u?.falseNegatives, u?.count]).toEqual([2, 1, 1, 0, 4]);
    expect([p?.truePositives, p?.falsePositives, p?.trueNegatives, p?.falseNegatives, p?.count]).toEqual([1, 0, 2, 1, 4]);
    expectClose(u?.selectionRate ?? 0, 0.75);
    expectClose(p?.truePositiveRate ?? 0, 0.5);
    expectClose(u?.falsePositiveRate ?? 0, 0.5);
  });
  it('AIF360 metrics: unprivileged − privileged, favourable label 1', () => {
    expectClose(statisticalParityDifference(predictions, groups), 0.75 - 0.25);
    expectClose(disparateImpact(predictions, groups), 0.75 / 0.25);
    expectClose(equalOpportunityDifference(predictions, labels, groups), 1 - 0.5);
    expectClose(averageOddsDifference(predictions, labels, groups), 0.5 * (0.5 - 0 + (1 - 0.5)));
  });
  it('fairlearn metrics: max − min and min / max over groups', () => {
    expectClose(equalizedOddsDifference(predictions, labels, groups), Math.max(0.5, 0.5));
    expectClose(demographicParityDifference(predictions, groups), 0.5);
    expectClose(demographicParityRatio(predictions, groups), 0.25 / 0.75);
    // three groups: selection rates 1, 0.5, 0 -> difference 1, ratio 0
    expectClose(demographicParityDifference([1, 1, 0, 0, 0], [0, 2, 2, 1, 1]), 1);
    expectClose(demographicParityRatio([1, 1, 0, 0, 0], [0, 2, 2, 1, 1]), 0);
  });
  it('favourable label 0 counts ŷ = 0 as the favourable outcome', () => {
    // selection P(ŷ=0): u 1/4, p 3/4. TPR P(ŷ=0|y=0): u 1/2, p 1. FPR P(ŷ=0|y=1): u 0, p 1/2.
    const options = { favorable: 0 };
    expectClose(statisticalParityDifference(predictions, groups, options), 0.25 - 0.75);
    expectClose(disparateImpact(predictions, groups, options), 0.25 / 0.75);
    expectClose(equalOpportunityDifference(predictions, labels, groups, options), 0.5 - 1);
    expectClose(averageOddsDifference(predictions, labels, groups, options), 0.5 * (0 - 0.5 + (0.5 - 1)));
  });
  it('privileged group 0 flips the differences', () => {
    expectClose(statisticalParityDifference(predictions, groups, { privileged: 0 }), -0.5);
    expectClose(disparateImpact(predictions, groups, { privileged: 0 }), 1 / 3);
  });
  it('undefined rates are NaN, not zero', () => {
    // unprivileged rows all have label 0 -> TPR_u undefined -> EOD, AOD, equalized odds NaN
    const l = [0, 0, 0, 0, 1, 1, 0, 0];
    expect(equalOpportunityDifference(predictions, l, groups)).toBeNaN();
    expect(averageOddsDifference(predictions, l, groups)).toBeNaN();
    expect(equalizedOddsDifference(predictions, l, groups)).toBeNaN();
    // no privileged rows -> selection rate undefined
    expect(statisticalParityDifference([1, 0], [0, 0])).toBeNaN();
    // privileged rate 0, unprivileged > 0 -> DI = Infinity; both 0 -> NaN
    expect(disparateImpact([1, 0, 0, 0], [0, 0, 1, 1])).toBe(Number.POSITIVE_INFINITY);
    expect(disparateImpact([0, 0, 0, 0], [0, 0, 1, 1])).toBeNaN();
  });
  it('the report agrees with the single metrics', () => {
    const report = fairnessReport(predictions, labels, groups);
    expectClose(report.statisticalParityDifference, 0.5);
    expectClose(report.disparateImpact, 3);
    expectClose(report.equalOpportunityDifference, 0.5);
    expectClose(report.averageOddsDifference, 0.5);
    expectClose(report.equalizedOddsDifference, 0.5);
    expectClose(report.demographicParityRatio, 1 / 3);
    expect(report.groups.length).toBe(2);
  });
  it('bad input names the argument', () => {
    expectUnbiasedError(() => statisticalParityDifference([], []), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => statisticalParityDifference([1, 0], [0]), 'BAD_INPUT', 'groups');
    expectUnbiasedError(() => statisticalParityDifference([2, 0], [0, 1]), 'BAD_INPUT', 'predictions');
    expectUnbiasedError(() => statisticalParityDifference([1, 0], [0, 0.5]), 'BAD_INPUT', 'groups');
    expectUnbiasedError(() => equalOpportunityDifference([1, 0], [1], [0, 1]), 'BAD_INPUT', 'labels');
    expectUnbiasedError(() => statisticalParityDifference([1, 0], [0, 1], { favorable: 2 }), 'INVALID_ARGUMENT', 'favorable');
    expectUnbiasedError(() => statisticalParityDifference([1, 0], [0, 1], { privileged: -1 }), 'INVALID_ARGUMENT', 'privileged');
  });
});

/** Independent float64 reference: rates of the rows where `keep` holds. */
function rate(values: number[], keep: (i: number) => boolean): number {
  let hits = 0;
  let total = 0;
  values.forEach((v, i) => {
    if (keep(i)) {
      total++;
      hits += v;
    }
  });
  return hits / total;
}

const rows = fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })), { minLength: 1, maxLength: 60 });

describe('fairness metrics: properties', () => {
  it('SPD and EOD match a direct float64 computation', () => {
    fc.assert(
      fc.property(rows, (data) => {
        const p = data.map((r) => r[0]);
        const y = data.map((r) => r[1]);
        const g = data.map((r) => r[2]);
        const spd = rate(p, (i) => g[i] === 0) - rate(p, (i) => g[i] === 1);
        const eod = rate(p, (i) => g[i] === 0 && y[i] === 1) - rate(p, (i) => g[i] === 1 && y[i] === 1);
        expectClose(statisticalParityDifference(p, g), spd);
        expectClose(equalOpportunityDifference(p, y, g), eod);
      }),
    );
  });
  it('swapping the groups flips the sign of SPD, EOD, AOD and inverts DI', () => {
    fc.assert(
      fc.property(rows, (data) => {
        const p = data.map((r) => r[0]);
        const y = data.map((r) => r[1]);
        const g = data.map((r) => r[2]);
        const swapped = g.map((v) => 1 - v);
        expectClose(statisticalParityDifference(p, swapped), -statisticalParityDifference(p, g));
        expectClose(equalOpportunityDifference(p, y, swapped), -equalOpportunityDifference(p, y, g));
        expectClose(averageOddsDifference(p, y, swapped), -averageOddsDifference(p, y, g));
        const di = disparateImpact(p, g);
        if (Number.isFinite(di) && di > 0) expectClose(disparateImpact(p, swapped), 1 / di);
      }),
    );
  });
  it('equal selection rates give DI = 1, SPD = 0 and demographic-parity ratio 1', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 30 }).filter((a) => a.includes(1)), (half) => {
        const p = [...half, ...half];
        const g = [...half.map(() => 0), ...half.map(() => 1)];
        expectClose(disparateImpact(p, g), 1);
        expectClose(statisticalParityDifference(p, g), 0);
        expectClose(demographicParityRatio(p, g), 1);
      }),
    );
  });
  it('with two groups, demographic-parity difference = |SPD| and equalized odds ≥ |EOD|, ≥ |AOD|', () => {
    fc.assert(
      fc.property(rows, (data) => {
        const p = data.map((r) => r[0]);
        const y = data.map((r) => r[1]);
        const g = data.map((r) => r[2]);
        const spd = statisticalParityDifference(p, g);
        if (Number.isFinite(spd)) expectClose(demographicParityDifference(p, g), Math.abs(spd));
        const eo = equalizedOddsDifference(p, y, g);
        const eod = equalOpportunityDifference(p, y, g);
        const aod = averageOddsDifference(p, y, g);
        // both groups present with both labels: every rate is defined
        if (Number.isFinite(eod) && Number.isFinite(aod)) {
          expect(eo).toBeGreaterThanOrEqual(Math.abs(eod) - 1e-12);
          expect(eo).toBeGreaterThanOrEqual(Math.abs(aod) - 1e-12);
        }
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateFlags, type Auditor, AuditorPanel, orderedPairs, requiredFlags, scaledAuditor } from '../src/index.js';
import { expectUnbiasedError } from './helpers.js';

/** An auditor with a fixed distance per unordered pair of individuals, read from a table (test-only). */
function tableAuditor(distance: (i: number, j: number) => number): Auditor {
  return { distance: (x, y) => distance(x[0] as number, y[0] as number) };
}

/** Contexts whose first coordinate is the individual's index, so table auditors can look pairs up. */
const indexContexts = (k: number) => Array.from({ length: k }, (_, i) => Float64Array.of(i));

/** Reference: the set of ordered pairs "i,j" that at least a γ fraction of auditors flag, counted directly. */
function referenceFlagged(distances: number[][][], pi: number[], gamma: number, alpha: number): Set<string> {
  const out = new Set<string>();
  const k = pi.length;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      const flags = distances.filter((d) => pi[i]! - pi[j]! > d[Math.min(i, j)]![Math.max(i, j)]! + alpha).length;
      if (flags / distances.length >= gamma) out.add(`${i},${j}`);
    }
  }
  return out;
}

const flaggedSet = (panel: AuditorPanel, k: number, pi: number[]) => new Set(panel.report(indexContexts(k), pi).flagged.map(([i, j]) => `${i},${j}`));
const auditorsFrom = (distances: number[][][]) => distances.map((d) => tableAuditor((a, b) => d[Math.min(a, b)]![Math.max(a, b)]!));

const instance = fc.integer({ min: 2, max: 4 }).chain((k) =>
  fc.record({
    pi: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: k, maxLength: k }),
    distances: fc.array(fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: k, maxLength: k }), { minLength: k, maxLength: k }), {
      minLength: 1,
      maxLength: 6,
    }),
    gamma: fc.double({ min: 0.01, max: 1, noNaN: true }),
    alpha: fc.double({ min: 0, max: 0.3, noNaN: true }),
  }),
);

describe('requiredFlags (γ-fraction rule)', () => {
  it('hand values: m = 5, γ = 0.6 -> 3; m = 10, γ = 0.7 -> 7 (not 8 from ⌈0.7·10⌉ in floating point); γ = 1 -> m; tiny γ -> 1', () => {
    expect(requiredFlags(5, 0.6)).toBe(3);
    expect(requiredFlags(10, 0.7)).toBe(7);
    expect(requiredFlags(4, 1)).toBe(4);
    expect(requiredFlags(4, 0.01)).toBe(1);
    expect(requiredFlags(3, 0.5)).toBe(2);
  });
});

describe('AuditorPanel.report', () => {
  it('matches a direct count of flagging auditors (property)', () => {
    fc.assert(
      fc.property(instance, ({ pi, distances, gamma, alpha }) => {
        const panel = new AuditorPanel({ auditors: auditorsFrom(distances), gamma, alpha });
        expect(flaggedSet(panel, pi.length, pi)).toEqual(referenceFlagged(distances, pi, gamma, alpha));
      }),
    );
  });

  it('a pair is reported exactly when π(x) − π(x′) > d_(r) + α (bounds)', () => {
    fc.assert(
      fc.property(instance, ({ pi, distances, gamma, alpha }) => {
        const panel = new AuditorPanel({ auditors: auditorsFrom(distances), gamma, alpha });
        const contexts = indexContexts(pi.length);
        const bounds = panel.bounds(contexts);
        const pairs = orderedPairs(pi.length);
        const viaBounds = new Set<string>();
        for (let p = 0; p < bounds.length; p++) if (pi[pairs[2 * p]!]! - pi[pairs[2 * p + 1]!]! > bounds[p]!) viaBounds.add(`${pairs[2 * p]},${pairs[2 * p + 1]}`);
        expect(viaBounds).toEqual(flaggedSet(panel, pi.length, pi));
      }),
    );
  });
});

describe('panel monotonicity (properties)', () => {
  it('the reported set is non-increasing in γ and in α', () => {
    fc.assert(
      fc.property(instance, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), ({ pi, distances, gamma, alpha }, g2, a2) => {
        const auditors = auditorsFrom(distances);
        const base = flaggedSet(new AuditorPanel({ auditors, gamma, alpha }), pi.length, pi);
        const higherGamma = flaggedSet(new AuditorPanel({ auditors, gamma: Math.max(gamma, Math.min(1, gamma + g2)), alpha }), pi.length, pi);
        const higherAlpha = flaggedSet(new AuditorPanel({ auditors, gamma, alpha: alpha + a2 }), pi.length, pi);
        for (const pair of higherGamma) expect(base.has(pair)).toBe(true);
        for (const pair of higherAlpha) expect(base.has(pair)).toBe(true);
      }),
    );
  });

  it('adding an auditor who flags a pair never un-reports that pair; adding a stricter auditor never reduces the reported set', () => {
    fc.assert(
      fc.property(instance, ({ pi, distances, gamma, alpha }) => {
        const k = pi.length;
        const auditors = auditorsFrom(distances);
        const base = flaggedSet(new AuditorPanel({ auditors, gamma, alpha }), k, pi);
        // An auditor with distance 0 everywhere flags every pair with a gap > α.
        const zero = tableAuditor(() => 0);
        const withFlagger = flaggedSet(new AuditorPanel({ auditors: [...auditors, zero], gamma, alpha }), k, pi);
        for (const pair of base) {
          const [i, j] = pair.split(',').map(Number) as [number, number];
          if (pi[i]! - pi[j]! > alpha) expect(withFlagger.has(pair)).toBe(true);
        }
        // A stricter auditor: distance <= every existing auditor's on every pair.
        const strict = tableAuditor((a, b) => Math.min(...distances.map((d) => d[Math.min(a, b)]![Math.max(a, b)]!)) / 2);
        const withStrict = flaggedSet(new AuditorPanel({ auditors: [...auditors, strict], gamma, alpha }), k, pi);
        for (const pair of base) expect(withStrict.has(pair)).toBe(true);
      }),
    );
  });

  it('re-aggregating the raw flags at γ equals a panel built at γ (raw reports do not depend on γ)', () => {
    fc.assert(
      fc.property(instance, fc.double({ min: 0.01, max: 1, noNaN: true }), ({ pi, distances, gamma, alpha }, other) => {
        const auditors = auditorsFrom(distances);
        const report = new AuditorPanel({ auditors, gamma, alpha }).report(indexContexts(pi.length), pi);
        const reaggregated = new Set(aggregateFlags(report.flagCounts, report.auditors, other).map((p) => `${report.pairs[2 * p]},${report.pairs[2 * p + 1]}`));
        expect(reaggregated).toEqual(flaggedSet(new AuditorPanel({ auditors, gamma: other, alpha }), pi.length, pi));
      }),
    );
  });
});

describe('scaledAuditor', () => {
  it('d(x, x′) = s · Σ_c |x_c − x′_c| over the chosen coordinates', () => {
    expect(scaledAuditor(2, { coordinates: [0] }).distance([0.1, 5], [0.4, -5])).toBeCloseTo(0.6, 15);
    expect(scaledAuditor(0.5).distance([1, 2], [0, 0])).toBeCloseTo(1.5, 15);
  });
});

describe('bad input', () => {
  it('a panel of size 0, γ outside (0, 1], α < 0', () => {
    expectUnbiasedError(() => new AuditorPanel({ auditors: [] }), 'BAD_INPUT', 'auditors');
    const auditors = [scaledAuditor(1)];
    expectUnbiasedError(() => new AuditorPanel({ auditors, gamma: 0 }), 'INVALID_HYPERPARAMETER', 'gamma');
    expectUnbiasedError(() => new AuditorPanel({ auditors, gamma: 1.5 }), 'INVALID_HYPERPARAMETER', 'gamma');
    expectUnbiasedError(() => new AuditorPanel({ auditors, gamma: Number.NaN }), 'INVALID_HYPERPARAMETER', 'gamma');
    expectUnbiasedError(() => new AuditorPanel({ auditors, alpha: -0.1 }), 'INVALID_HYPERPARAMETER', 'alpha');
    expectUnbiasedError(() => requiredFlags(3, -1), 'INVALID_HYPERPARAMETER', 'gamma');
  });

  it('a probability vector of the wrong length, an auditor returning NaN', () => {
    const panel = new AuditorPanel({ auditors: [scaledAuditor(1)] });
    expectUnbiasedError(() => panel.report([[0], [1]], [0.5]), 'SHAPE_MISMATCH', 'probabilities');
    const broken = new AuditorPanel({ auditors: [{ distance: () => Number.NaN }] });
    expectUnbiasedError(() => broken.report([[0], [1]], [0.5, 0.5]), 'NON_FINITE', 'auditors[0]');
  });
});

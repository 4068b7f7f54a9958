import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LinearConstraint, solveLinearProgram } from '../src/index.js';
import { expectClose, expectUnbiasedError } from './helpers.js';

const le = (coefficients: number[], rhs: number): LinearConstraint => ({ coefficients, relation: '<=', rhs });
const ge = (coefficients: number[], rhs: number): LinearConstraint => ({ coefficients, relation: '>=', rhs });
const eq = (coefficients: number[], rhs: number): LinearConstraint => ({ coefficients, relation: '=', rhs });

describe('solveLinearProgram vs hand-solved LPs', () => {
  it('Wyndor glass (max 3x + 5y; x <= 4, 2y <= 12, 3x + 2y <= 18): x = (2, 6), value 36', () => {
    const r = solveLinearProgram({ objective: [3, 5], constraints: [le([1, 0], 4), le([0, 2], 12), le([3, 2], 18)], maximize: true });
    expect(r.status).toBe('optimal');
    expectClose(r.x[0]!, 2, 1e-12);
    expectClose(r.x[1]!, 6, 1e-12);
    expectClose(r.value, 36, 1e-12);
  });

  it('min 2x + 3y with >= rows (x + y >= 4, x + 3y >= 6): vertex (3, 1), value 9 (vertices (0,4)=12, (6,0)=12)', () => {
    const r = solveLinearProgram({ objective: [2, 3], constraints: [ge([1, 1], 4), ge([1, 3], 6)] });
    expect(r.status).toBe('optimal');
    expectClose(r.x[0]!, 3, 1e-12);
    expectClose(r.x[1]!, 1, 1e-12);
    expectClose(r.value, 9, 1e-12);
  });

  it('an equality row (min x + y; x + 2y = 4, x − y <= 1): x = 4 − 2y, y in [1, 2], optimum y = 2, value 2', () => {
    const r = solveLinearProgram({ objective: [1, 1], constraints: [eq([1, 2], 4), le([1, -1], 1)] });
    expect(r.status).toBe('optimal');
    expectClose(r.x[0]!, 0, 1e-12);
    expectClose(r.x[1]!, 2, 1e-12);
    expectClose(r.value, 2, 1e-12);
  });

  it('a negative right-hand side is normalised (−x <= −1 means x >= 1): min x = 1', () => {
    const r = solveLinearProgram({ objective: [1], constraints: [le([-1], -1)] });
    expect(r.status).toBe('optimal');
    expectClose(r.value, 1, 1e-12);
  });

  it('a redundant equality (x + y = 1 and 2x + 2y = 2): min x − y = −1 at (0, 1)', () => {
    const r = solveLinearProgram({ objective: [1, -1], constraints: [eq([1, 1], 1), eq([2, 2], 2)] });
    expect(r.status).toBe('optimal');
    expectClose(r.x[1]!, 1, 1e-12);
    expectClose(r.value, -1, 1e-12);
  });

  it('infeasible (x + y <= 1 and x + y >= 2) and unbounded (max x with x − y <= 1)', () => {
    expect(solveLinearProgram({ objective: [1, 1], constraints: [le([1, 1], 1), ge([1, 1], 2)] }).status).toBe('infeasible');
    const unbounded = solveLinearProgram({ objective: [1, 0], constraints: [le([1, -1], 1)], maximize: true });
    expect(unbounded.status).toBe('unbounded');
  });

  it("Chvátal's cycling example terminates under Bland's rule: optimum 1 at x = (1, 0, 1, 0)", () => {
    // Chvátal 1983, Linear Programming, chapter 3: the largest-coefficient rule cycles on this LP.
    const r = solveLinearProgram({
      objective: [10, -57, -9, -24],
      constraints: [le([0.5, -5.5, -2.5, 9], 0), le([0.5, -1.5, -0.5, 1], 0), le([1, 0, 0, 0], 1)],
      maximize: true,
    });
    expect(r.status).toBe('optimal');
    expectClose(r.value, 1, 1e-12);
    [1, 0, 1, 0].forEach((v, j) => {
      expectClose(r.x[j]!, v, 1e-12);
    });
  });

  it('bad input: typed errors naming the field', () => {
    expectUnbiasedError(() => solveLinearProgram({ objective: [1, 2], constraints: [le([1], 1)] }), 'SHAPE_MISMATCH', 'constraints[0].coefficients');
    expectUnbiasedError(() => solveLinearProgram({ objective: [1, Number.NaN], constraints: [] }), 'NON_FINITE', 'objective');
    expectUnbiasedError(() => solveLinearProgram({ objective: [1], constraints: [le([1], Number.POSITIVE_INFINITY)] }), 'NON_FINITE', 'constraints[0].rhs');
  });
});

/** Independent reference: the best feasible vertex of {x >= 0, A x <= b} by enumerating n-subsets of tight rows. */
function bruteForceMax(c: number[], a: number[][], b: number[]): number {
  const n = c.length;
  // Tight-row candidates: the constraint rows and the coordinate planes x_j = 0.
  const rows = [...a.map((r, i) => ({ r, v: b[i]! })), ...c.map((_, j) => ({ r: c.map((__, l) => (l === j ? 1 : 0)), v: 0 }))];
  let best = -Infinity;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === n) {
      const m = picked.map((i) => [...rows[i]!.r, rows[i]!.v]);
      // Gaussian elimination with partial pivoting, float64.
      for (let col = 0; col < n; col++) {
        let p = col;
        for (let i = col + 1; i < n; i++) if (Math.abs(m[i]![col]!) > Math.abs(m[p]![col]!)) p = i;
        if (Math.abs(m[p]![col]!) < 1e-10) return;
        [m[col], m[p]] = [m[p]!, m[col]!];
        for (let i = 0; i < n; i++) {
          if (i === col) continue;
          const f = m[i]![col]! / m[col]![col]!;
          for (let j = col; j <= n; j++) m[i]![j] = m[i]![j]! - f * m[col]![j]!;
        }
      }
      const x = m.map((row, i) => row[n]! / row[i]!);
      if (x.some((v) => v < -1e-9)) return;
      if (a.some((r, i) => r.reduce((s, v, j) => s + v * x[j]!, 0) > b[i]! + 1e-9)) return;
      best = Math.max(best, c.reduce((s, v, j) => s + v * x[j]!, 0));
      return;
    }
    for (let i = start; i < rows.length; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return best;
}

describe('solveLinearProgram vs vertex enumeration (property)', () => {
  it('random bounded LPs in 2-3 variables: same optimum as the best feasible vertex', () => {
    const coef = fc.integer({ min: -5, max: 5 });
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 3 }).chain((n) =>
          fc.record({
            c: fc.array(coef, { minLength: n, maxLength: n }),
            a: fc.array(fc.array(coef, { minLength: n, maxLength: n }), { minLength: 1, maxLength: 4 }),
            b: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 4, maxLength: 4 }),
          }),
        ),
        ({ c, a, b }) => {
          const n = c.length;
          // A box x_j <= 10 keeps every LP bounded; b >= 0 keeps x = 0 feasible.
          const rows = [...a, ...c.map((_, j) => c.map((__, l) => (l === j ? 1 : 0)))];
          const rhs = [...b.slice(0, a.length), ...Array(n).fill(10)];
          const r = solveLinearProgram({ objective: c, constraints: rows.map((row, i) => le(row, rhs[i]!)), maximize: true });
          expect(r.status).toBe('optimal');
          expectClose(r.value, bruteForceMax(c, rows, rhs), 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });
});

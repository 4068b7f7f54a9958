// A small dense two-phase simplex with Bland's rule (Bland 1977, "New finite pivoting rules for the simplex
// method", Mathematics of Operations Research 2(2)); textbook form as in Chvátal 1983, "Linear Programming",
// chapters 2-3 (tableau, two phases, Bland's anti-cycling rule).
import { checkArrayLike, checkChoice, checkFiniteArray, checkNumber, checkPositiveInteger, UnbiasedError } from '@unbiased/core/errors';

/** One linear constraint Σ_j coefficients[j]·x_j (relation) rhs. */
export interface LinearConstraint {
  coefficients: ArrayLike<number>;
  relation: '<=' | '>=' | '=';
  rhs: number;
}

/** A linear program over x >= 0: minimize (or maximize) objective · x subject to the constraints. */
export interface LinearProgram {
  objective: ArrayLike<number>;
  constraints: readonly LinearConstraint[];
  /** Maximize instead of minimize (default false). */
  maximize?: boolean;
}

/** Result of {@link solveLinearProgram}. `x` and `value` are set only when `status` is `'optimal'`. */
export interface LinearProgramResult {
  status: 'optimal' | 'infeasible' | 'unbounded';
  x: Float64Array;
  value: number;
  /** Pivots taken over both phases. */
  pivots: number;
}

/** Options of {@link solveLinearProgram}. */
export interface SimplexOptions {
  /** Pivot / feasibility tolerance (default 1e-9; the tableau is float64). */
  tolerance?: number;
  /** Pivot cap over both phases (default 100,000); Bland's rule terminates, the cap only guards bad input. */
  maxPivots?: number;
}

class Tableau {
  readonly rows: Float64Array[];
  readonly basis: Int32Array;
  readonly width: number;
  cost: Float64Array;
  pivots = 0;

  constructor(rows: Float64Array[], basis: Int32Array, width: number) {
    this.rows = rows;
    this.basis = basis;
    this.width = width;
    this.cost = new Float64Array(width + 1);
  }

  /** Sets the reduced-cost row from costs c (length width): d = c − c_B·B⁻¹A, last entry −c_B·B⁻¹b. */
  price(c: Float64Array): void {
    const d = new Float64Array(this.width + 1);
    d.set(c);
    this.rows.forEach((row, r) => {
      const cb = c[this.basis[r] as number] as number;
      if (cb !== 0) for (let j = 0; j <= this.width; j++) d[j] = (d[j] as number) - cb * (row[j] as number);
    });
    this.cost = d;
  }

  pivot(r: number, col: number): void {
    const row = this.rows[r] as Float64Array;
    const p = row[col] as number;
    for (let j = 0; j <= this.width; j++) row[j] = (row[j] as number) / p;
    row[col] = 1;
    const eliminate = (target: Float64Array) => {
      const f = target[col] as number;
      if (f === 0) return;
      for (let j = 0; j <= this.width; j++) target[j] = (target[j] as number) - f * (row[j] as number);
      target[col] = 0;
    };
    this.rows.forEach((other, i) => {
      if (i !== r) eliminate(other);
    });
    eliminate(this.cost);
    this.basis[r] = col;
    this.pivots++;
  }

  /** Bland's rule iterations on the current cost row; `allowed[j]` says whether column j may enter. */
  run(allowed: Uint8Array, tolerance: number, maxPivots: number): 'optimal' | 'unbounded' {
    for (;;) {
      let enter = -1;
      for (let j = 0; j < this.width; j++) {
        if (allowed[j] === 1 && (this.cost[j] as number) < -tolerance) {
          enter = j;
          break;
        }
      }
      if (enter < 0) return 'optimal';
      let leave = -1;
      let bestRatio = Infinity;
      for (let r = 0; r < this.rows.length; r++) {
        const row = this.rows[r] as Float64Array;
        const a = row[enter] as number;
        if (a <= tolerance) continue;
        const ratio = (row[this.width] as number) / a;
        if (leave < 0 || ratio < bestRatio - tolerance) {
          leave = r;
          bestRatio = ratio;
        } else if (ratio <= bestRatio + tolerance && (this.basis[r] as number) < (this.basis[leave] as number)) {
          leave = r;
          bestRatio = Math.min(bestRatio, ratio);
        }
      }
      if (leave < 0) return 'unbounded';
      if (this.pivots >= maxPivots) {
        throw new UnbiasedError('BAD_STATE', `simplex: no optimum after ${maxPivots} pivots`, { field: 'maxPivots' });
      }
      this.pivot(leave, enter);
    }
  }
}

/**
 * Solves a small dense linear program over x >= 0 by the two-phase simplex method with Bland's rule (smallest
 * improving column enters; among tied ratios the row whose basic variable has the smallest index leaves), which
 * cannot cycle. Phase 1 minimizes the sum of artificial variables (one per `>=` and `=` row after making every
 * right-hand side non-negative); phase 2 the objective, after pivoting basic artificials out (or dropping their
 * rows when redundant). Dense O(rows × columns) per pivot: for a few hundred rows and columns.
 * Throws `SHAPE_MISMATCH` naming `constraints[i].coefficients` for a row of the wrong length, `NON_FINITE` for a
 * non-finite coefficient, right-hand side or objective entry.
 */
export function solveLinearProgram({ objective, constraints, maximize = false }: LinearProgram, { tolerance = 1e-9, maxPivots = 100_000 }: SimplexOptions = {}): LinearProgramResult {
  const n = checkFiniteArray('objective', objective);
  if (n === 0) throw new UnbiasedError('BAD_INPUT', 'objective must have at least one variable', { field: 'objective' });
  const m = checkArrayLike('constraints', constraints);
  checkNumber('tolerance', tolerance, { min: 0, minInclusive: false });
  checkPositiveInteger('maxPivots', maxPivots);
  const relations: ('<=' | '>=' | '=')[] = [];
  const a: Float64Array[] = [];
  const b: number[] = [];
  for (let i = 0; i < m; i++) {
    const c = constraints[i] as LinearConstraint;
    const field = `constraints[${i}]`;
    checkFiniteArray(`${field}.coefficients`, c?.coefficients);
    if (c.coefficients.length !== n) {
      throw new UnbiasedError('SHAPE_MISMATCH', `${field}.coefficients must have ${n} entries; got ${c.coefficients.length}`, { field: `${field}.coefficients` });
    }
    let relation = checkChoice(`${field}.relation`, c.relation, ['<=', '>=', '='], '<=');
    let rhs = c.rhs;
    if (typeof rhs !== 'number' || !Number.isFinite(rhs)) {
      throw new UnbiasedError('NON_FINITE', `${field}.rhs must be a finite number; got ${String(rhs)}`, { field: `${field}.rhs` });
    }
    const row = Float64Array.from(c.coefficients);
    if (rhs < 0) {
      for (let j = 0; j < n; j++) row[j] = -(row[j] as number);
      rhs = -rhs;
      relation = relation === '<=' ? '>=' : relation === '>=' ? '<=' : '=';
    }
    relations.push(relation);
    a.push(row);
    b.push(rhs);
  }
  // Columns: originals 0..n-1, then one slack/surplus per inequality, then one artificial per >= / = row.
  const slackCount = relations.filter((r) => r !== '=').length;
  const artificialCount = relations.filter((r) => r !== '<=').length;
  const width = n + slackCount + artificialCount;
  const firstArtificial = n + slackCount;
  const rows: Float64Array[] = [];
  const basis = new Int32Array(m);
  let slack = n;
  let artificial = firstArtificial;
  for (let i = 0; i < m; i++) {
    const row = new Float64Array(width + 1);
    row.set(a[i] as Float64Array);
    row[width] = b[i] as number;
    const relation = relations[i];
    if (relation === '<=') {
      row[slack] = 1;
      basis[i] = slack++;
    } else {
      if (relation === '>=') row[slack++] = -1;
      row[artificial] = 1;
      basis[i] = artificial++;
    }
    rows.push(row);
  }
  const tableau = new Tableau(rows, basis, width);
  const allowAll = new Uint8Array(width).fill(1);
  if (artificialCount > 0) {
    const phase1 = new Float64Array(width);
    for (let j = firstArtificial; j < width; j++) phase1[j] = 1;
    tableau.price(phase1);
    tableau.run(allowAll, tolerance, maxPivots);
    const infeasibility = -(tableau.cost[width] as number);
    const scale = Math.max(1, ...b);
    if (infeasibility > tolerance * scale * Math.max(1, m)) {
      return { status: 'infeasible', x: new Float64Array(0), value: Number.NaN, pivots: tableau.pivots };
    }
    // Drive basic artificials (at level zero) out of the basis; a row with no non-artificial entry is redundant.
    for (let r = tableau.rows.length - 1; r >= 0; r--) {
      if ((tableau.basis[r] as number) < firstArtificial) continue;
      const row = tableau.rows[r] as Float64Array;
      let col = -1;
      for (let j = 0; j < firstArtificial; j++) {
        if (Math.abs(row[j] as number) > tolerance) {
          col = j;
          break;
        }
      }
      if (col >= 0) tableau.pivot(r, col);
      else {
        tableau.rows.splice(r, 1);
        const kept = Array.from(tableau.basis).filter((_, i) => i !== r);
        tableau.basis.set(kept);
        tableau.basis[kept.length] = -1;
      }
    }
  }
  const costs = new Float64Array(width);
  for (let j = 0; j < n; j++) costs[j] = (maximize ? -1 : 1) * (objective[j] as number);
  const allowed = new Uint8Array(width);
  allowed.fill(1, 0, firstArtificial);
  tableau.price(costs);
  const status = tableau.run(allowed, tolerance, maxPivots);
  if (status === 'unbounded') return { status, x: new Float64Array(0), value: maximize ? Infinity : -Infinity, pivots: tableau.pivots };
  const x = new Float64Array(n);
  tableau.rows.forEach((row, r) => {
    const v = tableau.basis[r] as number;
    if (v >= 0 && v < n) x[v] = Math.max(0, row[width] as number);
  });
  let value = 0;
  for (let j = 0; j < n; j++) value += (objective[j] as number) * (x[j] as number);
  return { status: 'optimal', x, value, pivots: tableau.pivots };
}

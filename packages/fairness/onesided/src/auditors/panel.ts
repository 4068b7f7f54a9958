// Auditor panels with the γ-fraction rule (Bechavod & Roth, "Individually Fair Learning with One-Sided Feedback",
// ICML 2023, the auditing-scheme section; single-auditor model from Bechavod, Jung & Wu, "Metric-Free
// Individual Fairness in Online Learning", NeurIPS 2020).
import { checkArrayLike, checkFiniteArray, checkNonNegative, checkPositive, UnbiasedError } from '@unbiased/core/errors';
import { type Contexts, checkGamma } from '../validate.js';

/**
 * A fairness auditor with an (unknown to the learner) similarity metric d(x, x') >= 0. It flags the ordered pair
 * (x, x') of a deployed randomized policy π when π(x) − π(x') > d(x, x') + α (inferred: the paper's auditors
 * report violations of (α-relaxed) metric fairness; the exact form is our reading of the model).
 */
export interface Auditor {
  readonly name?: string;
  distance(x: ArrayLike<number>, xPrime: ArrayLike<number>): number;
}

/**
 * An auditor with the weighted L1 metric d(x, x') = scale · Σ_{c in coordinates} |x_c − x'_c| (default: every
 * coordinate). With `coordinates: [0]` it judges individuals by their first feature only, as the example panel.
 */
export function scaledAuditor(scale: number, { coordinates, name }: { coordinates?: readonly number[]; name?: string } = {}): Auditor {
  checkPositive('scale', scale);
  if (coordinates !== undefined) {
    checkFiniteArray('coordinates', coordinates);
    for (const c of coordinates) {
      if (!Number.isInteger(c) || c < 0) throw new UnbiasedError('INVALID_ARGUMENT', `coordinates must be non-negative integers; got ${c}`, { field: 'coordinates' });
    }
  }
  const cols = coordinates === undefined ? null : Int32Array.from(coordinates);
  return {
    name: name ?? `${scale}·L1${cols ? `[${[...cols].join(',')}]` : ''}`,
    distance(x, xPrime) {
      let sum = 0;
      if (cols) for (const c of cols) sum += Math.abs((x[c] as number) - (xPrime[c] as number));
      else for (let c = 0; c < x.length; c++) sum += Math.abs((x[c] as number) - (xPrime[c] as number));
      return scale * sum;
    },
  };
}

/**
 * The smallest number r of flagging auditors (out of m) that makes a panel report a violation under the
 * γ-fraction rule "at least a γ fraction of the panel flags the pair": the least r with r/m >= γ (computed as
 * a division, not ⌈γ·m⌉, so that γ = 0.7 with m = 10 needs 7 auditors, not 8 from 0.7·10 = 7.000000000000001).
 */
export function requiredFlags(panelSize: number, gamma: number): number {
  checkGamma(gamma);
  for (let r = 1; r <= panelSize; r++) if (r / panelSize >= gamma) return r;
  return panelSize;
}

/** What a panel said about one round: the raw per-auditor flags (independent of γ) and their aggregation. */
export interface PanelReport {
  /** Individuals in the round. */
  k: number;
  /** Auditors on the panel. */
  auditors: number;
  /** Ordered pairs (i, j), i != j, as `pairs[2p] = i`, `pairs[2p + 1] = j`; p = i·(k − 1) + (j < i ? j : j − 1). */
  pairs: Int32Array;
  /** `raw[a * P + p] = 1` when auditor a flags pair p (P = k·(k − 1)). Re-aggregate at another γ with {@link aggregateFlags}. */
  raw: Uint8Array;
  /** Number of auditors flagging each pair. */
  flagCounts: Int32Array;
  /** Pairs the panel reports at its γ, as [i, j] with π(x^i) > π(x^j) + α. */
  flagged: [number, number][];
}

/** Ordered pairs (i, j), i != j, of k individuals in the order of {@link PanelReport.pairs}. */
export function orderedPairs(k: number): Int32Array {
  const pairs = new Int32Array(2 * k * (k - 1));
  let p = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      if (i === j) continue;
      pairs[2 * p] = i;
      pairs[2 * p + 1] = j;
      p++;
    }
  }
  return pairs;
}

/**
 * Re-aggregates raw auditor flags at threshold `gamma`: pair p is reported when flagCounts[p]/m >= γ. Auditors'
 * raw reports do not depend on γ, so the learner can trace the whole accuracy-fairness frontier from one set of
 * reports (Bechavod & Roth 2023, the claim of the abstract). Returns the reported pair indices.
 */
export function aggregateFlags(flagCounts: ArrayLike<number>, panelSize: number, gamma: number): number[] {
  const r = requiredFlags(panelSize, gamma);
  const out: number[] = [];
  for (let p = 0; p < flagCounts.length; p++) if ((flagCounts[p] as number) >= r) out.push(p);
  return out;
}

/** Options of {@link AuditorPanel}. */
export interface AuditorPanelOptions {
  /** The auditors (at least one). */
  auditors: readonly Auditor[];
  /** The γ-fraction threshold in (0, 1] (default 0.6, the example panel's). */
  gamma?: number;
  /** The fairness slack α >= 0 (default 0.12, the example panel's). */
  alpha?: number;
}

/**
 * A panel of m possibly inconsistent auditors that reports a pair as a fairness violation when at least a γ
 * fraction of its auditors flag it (Bechavod & Roth 2023, the panel auditing scheme). Equivalently the pair
 * (x, x') is reported when π(x) − π(x') > d_(r)(x, x') + α, with d_(r) the r-th smallest auditor distance and
 * r = {@link requiredFlags}(m, γ). Throws `BAD_INPUT` naming `auditors` for an empty panel and
 * `INVALID_HYPERPARAMETER` naming `gamma` outside (0, 1] or `alpha` < 0.
 */
export class AuditorPanel {
  readonly auditors: readonly Auditor[];
  readonly gamma: number;
  readonly alpha: number;

  constructor({ auditors, gamma = 0.6, alpha = 0.12 }: AuditorPanelOptions) {
    const m = checkArrayLike('auditors', auditors);
    if (m === 0) throw new UnbiasedError('BAD_INPUT', 'auditors: a panel needs at least one auditor; got a panel of size 0', { field: 'auditors' });
    for (let a = 0; a < m; a++) {
      if (typeof auditors[a]?.distance !== 'function') {
        throw new UnbiasedError('INVALID_ARGUMENT', `auditors[${a}] must have a distance(x, xPrime) method`, { field: `auditors[${a}]` });
      }
    }
    this.auditors = [...auditors];
    this.gamma = checkGamma(gamma);
    this.alpha = checkNonNegative('alpha', alpha);
  }

  /** A panel with the same auditors and α at another γ. */
  withGamma(gamma: number): AuditorPanel {
    return new AuditorPanel({ auditors: this.auditors, gamma, alpha: this.alpha });
  }

  /** `distances[a * P + p]` = d_a between the two individuals of ordered pair p; validated (finite, >= 0). */
  distances(contexts: Contexts): Float64Array {
    const k = contexts.length;
    const pairs = orderedPairs(k);
    const count = pairs.length / 2;
    const out = new Float64Array(this.auditors.length * count);
    this.auditors.forEach((auditor, a) => {
      for (let p = 0; p < count; p++) {
        const d = auditor.distance(contexts[pairs[2 * p] as number] as ArrayLike<number>, contexts[pairs[2 * p + 1] as number] as ArrayLike<number>);
        if (typeof d !== 'number' || !Number.isFinite(d) || d < 0) {
          throw new UnbiasedError('NON_FINITE', `auditors[${a}] returned distance ${String(d)}; a metric must be finite and >= 0`, { field: `auditors[${a}]` });
        }
        out[a * count + p] = d;
      }
    });
    return out;
  }

  /**
   * The panel's effective bound per ordered pair at this γ: π(x^i) − π(x^j) may not exceed d_(r)(x^i, x^j) + α,
   * where d_(r) is the r-th smallest auditor distance. Used by the best-fair-policy LP.
   */
  bounds(contexts: Contexts): Float64Array {
    const m = this.auditors.length;
    const d = this.distances(contexts);
    const count = d.length / m;
    const r = requiredFlags(m, this.gamma);
    const out = new Float64Array(count);
    const column = new Float64Array(m);
    for (let p = 0; p < count; p++) {
      for (let a = 0; a < m; a++) column[a] = d[a * count + p] as number;
      column.sort();
      out[p] = (column[r - 1] as number) + this.alpha;
    }
    return out;
  }

  /** The panel's report on the randomized policy with play probabilities π(x^i) = `probabilities[i]`. */
  report(contexts: Contexts, probabilities: ArrayLike<number>): PanelReport {
    const k = contexts.length;
    if (probabilities.length !== k) {
      throw new UnbiasedError('SHAPE_MISMATCH', `probabilities must have ${k} entries (one per individual); got ${probabilities.length}`, { field: 'probabilities' });
    }
    const m = this.auditors.length;
    const pairs = orderedPairs(k);
    const count = pairs.length / 2;
    const d = this.distances(contexts);
    const raw = new Uint8Array(m * count);
    const flagCounts = new Int32Array(count);
    for (let p = 0; p < count; p++) {
      const gap = (probabilities[pairs[2 * p] as number] as number) - (probabilities[pairs[2 * p + 1] as number] as number);
      for (let a = 0; a < m; a++) {
        if (gap > (d[a * count + p] as number) + this.alpha) {
          raw[a * count + p] = 1;
          flagCounts[p] = (flagCounts[p] as number) + 1;
        }
      }
    }
    const flagged = aggregateFlags(flagCounts, m, this.gamma).map((p): [number, number] => [pairs[2 * p] as number, pairs[2 * p + 1] as number]);
    return { k, auditors: m, pairs, raw, flagCounts, flagged };
  }
}

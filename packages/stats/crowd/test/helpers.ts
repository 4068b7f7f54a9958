import { referencePearson } from '../../../../tooling/vitest/reference.js';

export { expectClose, expectUnbiasedError } from '../../../../tooling/vitest/assert.js';
export { referencePearson };

/**
 * Krippendorff's interval / ordinal / nominal alpha from the pairwise definition, over units given as lists
 * of values (units with fewer than 2 values ignored). Independent float64 reference, O(N^2).
 */
export function referenceAlpha(units: number[][], level: 'interval' | 'nominal'): number {
  const pairable = units.filter((u) => u.length >= 2);
  const all = pairable.flat();
  const n = all.length;
  const delta = (a: number, b: number) => (level === 'nominal' ? (a === b ? 0 : 1) : (a - b) ** 2);
  let observed = 0;
  for (const u of pairable) {
    let s = 0;
    for (let i = 0; i < u.length; i++) for (let j = 0; j < u.length; j++) if (i !== j) s += delta(u[i] as number, u[j] as number);
    observed += s / (u.length - 1);
  }
  let expected = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) expected += delta(all[i] as number, all[j] as number);
  return 1 - observed / n / (expected / (n * (n - 1)));
}

/** Spearman's rho as Pearson of midranks computed by counting. */
export function referenceSpearman(x: number[], y: number[]): number {
  const ranks = (v: number[]) => v.map((a) => 1 + v.filter((b) => b < a).length + (v.filter((b) => b === a).length - 1) / 2);
  return referencePearson(ranks(x), ranks(y));
}

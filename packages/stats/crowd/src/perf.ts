/**
 * Perf suite `stats-krippendorff`: Krippendorff's alpha through the coincidence matrix (@unbiased/metrics)
 * on a million cells, against the pairwise O(N^2) definition on a 20,000-cell sample.
 */
import { type PerfCase, type PerfSuite, Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';
import { krippendorffAlpha, type LevelOfMeasurement } from '@unbiased/metrics';
import { writePeerDataFile } from '#platform';

/**
 * Krippendorff's alpha from its pairwise definition (Krippendorff 2011, section B), O(N^2) in the number N
 * of pairable values: `D_o = (1/n) sum_u (1/(m_u - 1)) sum_{i != j in u} delta^2(v_i, v_j)`,
 * `D_e = (1/(n (n - 1))) sum_{i != j} delta^2(v_i, v_j)` over all pairable values, `alpha = 1 - D_o / D_e`.
 * Reliability data as coder rows of numbers, `NaN` missing. The readable reference the coincidence-matrix
 * path is timed (and tested) against; do not use it on large data.
 */
export function pairwiseKrippendorffAlpha(reliabilityData: readonly ArrayLike<number>[], level: LevelOfMeasurement): number {
  const coders = reliabilityData.length;
  const units = coders === 0 ? 0 : (reliabilityData[0] as ArrayLike<number>).length;
  const pairable: number[][] = [];
  for (let u = 0; u < units; u++) {
    const values: number[] = [];
    for (let c = 0; c < coders; c++) {
      const v = (reliabilityData[c] as ArrayLike<number>)[u] as number;
      if (!Number.isNaN(v)) values.push(v);
    }
    if (values.length >= 2) pairable.push(values);
  }
  const all = pairable.flat();
  const n = all.length;
  if (n === 0) throw new UnbiasedError('BAD_INPUT', 'reliabilityData: no unit has values from at least two coders', { field: 'reliabilityData' });
  const domain = [...new Set(all)].sort((a, b) => a - b);
  const index = new Map(domain.map((v, i) => [v, i]));
  const frequency = new Float64Array(domain.length);
  for (const v of all) frequency[index.get(v) as number] = (frequency[index.get(v) as number] as number) + 1;
  const delta = (a: number, b: number): number => {
    if (a === b) return 0;
    if (level === 'nominal') return 1;
    if (level === 'interval') return (a - b) ** 2;
    if (level === 'ratio') return ((a - b) / (a + b)) ** 2;
    const i = index.get(a) as number;
    const j = index.get(b) as number;
    let between = 0;
    for (let g = Math.min(i, j); g <= Math.max(i, j); g++) between += frequency[g] as number;
    return (between - ((frequency[i] as number) + (frequency[j] as number)) / 2) ** 2;
  };
  // delta^2 looked up per level pair, so the O(N^2) loops cost a table read each, as a fair baseline.
  const size = domain.length;
  const table = new Float64Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) table[i * size + j] = delta(domain[i] as number, domain[j] as number);
  const levels = Int32Array.from(all, (v) => index.get(v) as number);
  let observed = 0;
  let offset = 0;
  for (const values of pairable) {
    const m = values.length;
    let s = 0;
    for (let i = 0; i < m; i++) {
      const row = (levels[offset + i] as number) * size;
      for (let j = 0; j < m; j++) if (i !== j) s += table[row + (levels[offset + j] as number)] as number;
    }
    observed += s / (m - 1);
    offset += m;
  }
  observed /= n;
  let expected = 0;
  for (let i = 0; i < n; i++) {
    const row = (levels[i] as number) * size;
    for (let j = 0; j < n; j++) if (i !== j) expected += table[row + (levels[j] as number)] as number;
  }
  expected /= n * (n - 1);
  if (expected === 0) throw new UnbiasedError('BAD_INPUT', 'reliabilityData: a single value throughout; alpha is undefined', { field: 'reliabilityData' });
  return 1 - observed / expected;
}

/**
 * Synthetic reliability data: `coders` rows x `units` columns over levels 1..`levels`; each cell is missing
 * with probability `missing`, else the unit's latent level with probability 0.6, else a uniform level.
 */
export function syntheticReliabilityData(rng: Rng, { units, coders, levels = 5, missing = 0.3 }: { units: number; coders: number; levels?: number; missing?: number }): Float64Array[] {
  const truth = rng.fold('truth').uniform(units);
  const draws = rng.fold('cells');
  return Array.from({ length: coders }, () => {
    const u = draws.uniform(3 * units);
    const row = new Float64Array(units);
    for (let j = 0; j < units; j++) {
      if ((u[3 * j] as number) < missing) row[j] = Number.NaN;
      else if ((u[3 * j + 1] as number) < 0.6) row[j] = 1 + Math.floor((truth[j] as number) * levels);
      else row[j] = 1 + Math.floor((u[3 * j + 2] as number) * levels);
    }
    return row;
  });
}

const PAIRWISE = 'pairwise O(N^2) definition, 20,000 cells (200 units x 100 coders)';
const LEVEL: LevelOfMeasurement = 'interval';

const DATA_SEED = 20210601;
const MILLION = 'coincidence matrix, 1,000,000 cells (10,000 units x 100 coders)';

function alphaCase(name: string, units: number, coders: number, baseline: string | null, impl: 'coincidence' | 'pairwise'): PerfCase {
  return {
    name,
    n: units * coders,
    baseline,
    async setup() {
      let data: Float64Array[] | null = syntheticReliabilityData(Rng.fromSeed(DATA_SEED), { units, coders });
      let last = 0;
      return {
        step() {
          const rows = data as Float64Array[];
          last = impl === 'coincidence' ? krippendorffAlpha(rows, { level: LEVEL }) : pairwiseKrippendorffAlpha(rows, LEVEL);
        },
        async fence() {
          if (!Number.isFinite(last)) throw new UnbiasedError('BAD_STATE', `${name}: alpha is ${last}`, { field: name });
        },
        dispose() {
          data = null;
        },
      };
    },
  };
}

/**
 * `unbiased perf stats-krippendorff`: interval alpha on 10,000 units x 100 coders (1,000,000 cells, 5
 * levels, 30% missing) through the coincidence matrix, the same on a 200 x 100 sample (like-for-like with
 * the baseline), and the pairwise O(N^2) definition on that 20,000-cell sample (the baseline). The suite
 * ignores the CLI's `size`: the sizes are the point. Pure CPU, the same on every backend. Peer (`--peers`):
 * a numpy re-implementation of the `krippendorff` package's vectorised default call, on the same cells.
 */
export const krippendorffPerfSuite: PerfSuite = {
  id: 'stats-krippendorff',
  title: "Krippendorff's alpha: coincidence matrix (linear) vs the pairwise O(N^2) definition",
  packageName: '@unbiased/stats-crowd',
  cases: () => [
    alphaCase(PAIRWISE, 200, 100, null, 'pairwise'),
    alphaCase('coincidence matrix, 20,000 cells (200 units x 100 coders)', 200, 100, PAIRWISE, 'coincidence'),
    alphaCase(MILLION, 10_000, 100, PAIRWISE, 'coincidence'),
  ],
  peers: [
    {
      // A labelled stand-in: the `krippendorff` package is not on the local index (see the script's docstring).
      script: 'krippendorff_numpy',
      cases: { 'alpha-1m': MILLION },
      install: 'python3 -m pip install numpy',
      args() {
        const rows = syntheticReliabilityData(Rng.fromSeed(DATA_SEED), { units: 10_000, coders: 100 });
        const flat = new Float64Array(10_000 * 100);
        for (const [c, row] of rows.entries()) flat.set(row, c * 10_000);
        // little-endian on every platform Node runs on here; in a browser this throws (no peers there)
        const path = writePeerDataFile(`unbiased-peer-krippendorff-${DATA_SEED}.f64`, new Uint8Array(flat.buffer));
        return ['--data', path, '--coders', '100', '--units', '10000'];
      },
      value: () => krippendorffAlpha(syntheticReliabilityData(Rng.fromSeed(DATA_SEED), { units: 10_000, coders: 100 }), { level: LEVEL }),
    },
  ],
};

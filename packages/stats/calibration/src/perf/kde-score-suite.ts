import { type PerfCase, type PerfSuite, Rng } from '@unbiased/core';
import { gaussianKde, kdeScore } from '../kde.js';

/** The suite's two cases at any size (the suite uses 2,000 calibration samples and 10,000 points). */
export function kdeScorePerfCases(samples = 2000, points = 10_000): PerfCase[] {
  const make = (impl: 'exact' | 'grid'): PerfCase => ({
    name: impl === 'exact' ? 'KDE score, exact' : 'KDE score, grid (4096 nodes)',
    n: points,
    baseline: impl === 'exact' ? null : 'KDE score, exact',
    async setup() {
      const rng = Rng.fromSeed(0).fold('stats-calibration-perf');
      const kde = gaussianKde(rng.fold('samples').normal(samples));
      const at = rng.fold('points').normal(points, 0, 1.2);
      let sink = 0;
      return {
        step() {
          const scores = kdeScore(kde, at, { delta: 1e-3, impl });
          sink += scores[0] as number;
        },
        async fence() {
          if (Number.isNaN(sink)) throw new Error('unreachable: scores are finite');
        },
        dispose() {},
      };
    },
  });
  return [make('exact'), make('grid')];
}

/**
 * `unbiased perf stats-calibration`: Tweedie's KDE score (Scott bandwidth, central difference) at 10,000
 * predictions from a 2,000-point calibration KDE, exact (every sample, as scipy) vs the grid path.
 */
export const kdeScorePerfSuite: PerfSuite = {
  id: 'stats-calibration',
  title: "Tweedie's KDE score: exact vs grid (2,000 samples, 10,000 points)",
  packageName: '@unbiased/stats-calibration',
  cases: () => kdeScorePerfCases(),
};

import type { PlotSpec, Series } from '@unbiased/core';
import { meanSd } from './evaluate.js';

/** t quantile (two-sided 95%) for n − 1 degrees of freedom, n ≤ 11; 1.96 beyond. */
function t95(n: number): number {
  const table = [Number.NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
  return table[n - 1] ?? 1.96;
}

/**
 * A `point` plot of error by method (categories) with one series per stream, each point the mean over seeds
 * with a 95% t-interval (none for one seed).
 */
export function errorByStreamPlot(
  id: string,
  title: string,
  methods: readonly string[],
  streams: readonly string[],
  errors: (method: string, stream: string) => number[],
  caption: string,
): PlotSpec {
  const series: Series[] = streams.map((stream) => {
    const y: number[] = [];
    const lower: number[] = [];
    const upper: number[] = [];
    for (const method of methods) {
      const values = errors(method, stream);
      const { mean, sd } = meanSd(values);
      const half = values.length > 1 ? (t95(values.length) * sd) / Math.sqrt(values.length) : 0;
      y.push(mean);
      lower.push(mean - half);
      upper.push(mean + half);
    }
    return { name: stream, x: methods.map((_, i) => i), y, lower, upper };
  });
  return { id, title, kind: 'point', xLabel: 'method', yLabel: 'error (%)', categories: [...methods], logY: false, caption, series };
}

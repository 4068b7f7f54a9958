import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '@unbiased/core';
import { formatMeanSd } from '../src/commands/reproduce.js';
import { aggregatePlots, judgeClaimOverSeeds, summarizeMetrics, summarizeValues, tQuantile975 } from '../src/report/seed-stats.js';

describe('statistics over seeds', () => {
  it('a metric some seeds do not report is counted as absent, not as non-finite', () => {
    const summaries = summarizeMetrics([{ a: 1, only0: 5 }, { a: Number.NaN, only1: 6 }, { a: 3 }]);
    expect(summaries.a).toMatchObject({ n: 2, mean: 2 });
    expect(summaries.a).not.toHaveProperty('absent');
    expect(summaries.only0).toMatchObject({ n: 1, mean: 5, absent: 2 });
    expect(formatMeanSd(summaries.a!)).toBe('2 ± 1.4 (2 of 3 finite)');
    expect(formatMeanSd(summaries.only0!)).toBe('5 ± 0 (1; 1 of 3 seeds report it)');
  });

  it('t_{0.975, df} matches published table values (tables to 3 decimals; the expansion above df 30 within 2e-3)', () => {
    // Reference: standard t tables (e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2): df -> t_{0.975}.
    const table: [number, number][] = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [30, 2.042],
      [40, 2.021],
      [60, 2.0],
      [100, 1.984],
    ];
    for (const [df, t] of table) expect(Math.abs(tQuantile975(df) - t), `df ${df}`).toBeLessThan(2e-3);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('mean, sample sd and t-interval agree with a float64 reference; non-finite seeds counted apart', () => {
    const values = [1.5, 2.25, 0.75, 3, Number.NaN];
    const finite = [1.5, 2.25, 0.75, 3];
    let sum = 0;
    for (const value of finite) sum += value;
    const mean = sum / 4;
    let squares = 0;
    for (const value of finite) squares += (value - mean) * (value - mean);
    const sd = Math.sqrt(squares / 3);
    const half = (3.182 * sd) / 2; // t_{0.975, 3} = 3.182, sqrt(4) = 2
    const summary = summarizeValues(values);
    expect(summary.n).toBe(4);
    expect(summary.mean).toBeCloseTo(mean, 12);
    expect(summary.sd).toBeCloseTo(sd, 12);
    expect(summary.lower).toBeCloseTo(mean - half, 10);
    expect(summary.upper).toBeCloseTo(mean + half, 10);
    expect(summary.values).toEqual(values);
    expect(summarizeValues([5])).toMatchObject({ mean: 5, sd: 0, lower: 5, upper: 5, n: 1 });
    expect(summarizeValues([Number.NaN]).n).toBe(0);
    expect(summarizeValues([0.003, 0.003, 0.003])).toMatchObject({ mean: 0.003, sd: 0, lower: 0.003, upper: 0.003, n: 3 });
  });

  it('judges a claim: every seed holds -> holds, none -> fails, otherwise partial naming the seeds', () => {
    expect(judgeClaimOverSeeds([{ seed: 0, status: 'holds' }, { seed: 1, status: 'holds' }]).status).toBe('holds');
    expect(judgeClaimOverSeeds([{ seed: 0, status: 'fails' }, { seed: 1, status: 'fails' }]).status).toBe('fails');
    const partial = judgeClaimOverSeeds([
      { seed: 0, status: 'holds' },
      { seed: 1, status: 'partial', failing: ['E3 Adam'] },
      { seed: 2, status: 'fails' },
      { seed: 3, status: 'holds', error: 'boom' },
    ]);
    expect(partial).toMatchObject({ status: 'partial', heldOn: 1, judged: 3 });
    expect(partial.failing).toEqual(['seed 1: partial (E3 Adam)', 'seed 2: fails', 'seed 3: threw']);
    // One seed: its own cells are the detail.
    expect(judgeClaimOverSeeds([{ seed: 4, status: 'partial', failing: ['E1 Lion'] }])).toMatchObject({ status: 'partial', failing: ['E1 Lion'] });
    expect(judgeClaimOverSeeds([{ seed: 0, status: 'holds', error: 'boom' }]).status).toBe('fails');
  });

  it('draws several seeds as one plot: mean with a 95% band, divergence kept, own intervals kept, mismatches left alone', () => {
    const result = (y: number[], own: number, x = [0, 1, 2]): ExperimentResult => ({
      metrics: {},
      claim: { text: 'c', holds: true },
      plots: [
        { id: 'curve', title: 't', xLabel: 'step', yLabel: 'f', series: [{ name: 'a', x: [0, 1, 2], y }, { name: 'b', x, y: [1, 1, 1] }] },
        { id: 'bars', title: 't', xLabel: 'm', yLabel: 'v', kind: 'point', categories: ['p'], series: [{ name: 's', x: [0], y: [own], lower: [own - 1], upper: [own + 1] }] },
      ],
    });
    const [curve, bars] = aggregatePlots([result([1, 2, 3], 10), result([3, 4, Number.NaN], 20, [0, 1, 3])], [5, 6]);
    expect(curve!.kind).toBe('band');
    const a = curve!.series[0]!;
    // Reference: mean of (1, 3) = 2, sd = sqrt(2), half width t_{0.975, 1} * sqrt(2) / sqrt(2) = 12.706.
    expect(a.y.slice(0, 2)).toEqual([2, 3]);
    expect(a.lower![0]).toBeCloseTo(2 - 12.706, 10);
    expect(a.upper![1]).toBeCloseTo(3 + 12.706, 10);
    expect(Number.isNaN(a.y[2]!)).toBe(true);
    // Series b has other x values in seed 6: seed 5's own values are shown, and the caption says so.
    expect(curve!.series[1]).toEqual({ name: 'b', x: [0, 1, 2], y: [1, 1, 1] });
    expect(curve!.caption).toContain('1 series differ between seeds and show seed 5 only');
    expect(bars!.series[0]).toMatchObject({ y: [15], lower: [14], upper: [16] });
    expect(bars!.caption).toContain("the experiment's own intervals, averaged over seeds");
  });

  it('own intervals of zero width (one inner seed) give way to the 95% t-interval over the CLI seeds', () => {
    const result = (v: number): ExperimentResult => ({
      metrics: {},
      claim: { text: 'c', holds: true },
      plots: [{ id: 'p', title: 't', xLabel: 'm', yLabel: 'v', kind: 'point', categories: ['p'], series: [{ name: 's', x: [0], y: [v], lower: [v], upper: [v] }] }],
    });
    const [plot] = aggregatePlots([result(1), result(3)], [0, 1]);
    // Reference: mean 2, sd sqrt(2), half width t_{0.975, 1} sqrt(2) / sqrt(2) = 12.706.
    expect(plot!.series[0]!.y).toEqual([2]);
    expect(plot!.series[0]!.lower![0]).toBeCloseTo(2 - 12.706, 10);
    expect(plot!.series[0]!.upper![0]).toBeCloseTo(2 + 12.706, 10);
    expect(plot!.caption).toContain('95% t-interval over seeds');
  });
});

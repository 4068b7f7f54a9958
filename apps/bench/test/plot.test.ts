import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlotSpec } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { divergences, PALETTE, PLOT_WIDTH, plotToVegaLite, renderPlotSvg, useLogY, wrapTitle } from '../src/report/plot.js';

const plot: PlotSpec = {
  id: 'loss',
  title: 'Loss <&> curve',
  xLabel: 'step',
  yLabel: 'loss',
  logY: true,
  series: [
    { name: 'a', x: [0, 1, 2], y: [1, 0.1, 0.001] },
    { name: 'b', x: [0, 1, 2, 3], y: [1, 0, Number.NaN, Number.POSITIVE_INFINITY], role: 'baseline' },
  ],
};

type Spec = { data: { values: Record<string, unknown>[] }; layer: { mark: { type: string }; encoding: Record<string, { scale?: unknown }> }[] };

/** Tiny fakes of every shape the registered experiments draw (curves, bands, divergence, categories, many series). */
const fakes: PlotSpec[] = [
  plot,
  {
    id: 'long-title',
    title: `A very long title that used to stretch the canvas: ${'method name, '.repeat(20)}and more`,
    xLabel: 'step',
    yLabel: 'MSE',
    series: Array.from({ length: 9 }, (_, index) => ({ name: `variant ${index} with a long label`, x: [0, 1, 2], y: [0.6, 0.3, 0.02] })),
  },
  {
    id: 'fp8',
    title: 'FP8 states: loss',
    xLabel: 'step',
    yLabel: 'loss',
    kind: 'line',
    series: [
      { name: 'AdamW FP8 states', x: [0, 1, 2, 3, 4, 5], y: [0.6, 0.5, 0.4, 0.3, Number.NaN, Number.NaN] },
      { name: 'StoSignSGD', x: [0, 1, 2, 3, 4, 5], y: [0.6, 0.4, 0.3, 0.2, 0.1, 0.05] },
    ],
  },
  {
    id: 'band',
    title: 'Curves over seeds',
    xLabel: 'step',
    yLabel: 'f',
    kind: 'band',
    series: [{ name: 'm', x: [0, 1], y: [2, 1], lower: [1.5, 0.5], upper: [2.5, 1.5] }],
  },
  {
    id: 'dcg',
    title: 'DCG@5 per method',
    xLabel: 'method',
    yLabel: 'DCG@5',
    kind: 'point',
    categories: ['MF', 'Rel-MF', 'ExpoMF'],
    series: [
      { name: 'all items', x: [0, 1, 2], y: [0.1, 0.2, 0.15], lower: [0.08, 0.18, 0.1], upper: [0.12, 0.22, 0.2] },
      { name: 'rare items', x: [0, 1, 2], y: [0.05, 0.1, 0.07], role: 'baseline' },
    ],
  },
  { id: 'bars', title: 'Bars', xLabel: 'estimator', yLabel: 'slope', kind: 'bar', categories: ['naive', 'LCC'], series: [{ name: 's', x: [0, 1], y: [0.5, 1] }] },
];

function svgWidth(svg: string): number {
  const match = /^<svg[^>]*\swidth="([\d.]+)"/.exec(svg);
  return match ? Number(match[1]) : Number.NaN;
}

describe('plots', () => {
  it('uses a log axis only when the positive data span more than two decades, and leaves out what it cannot draw', () => {
    const spec = plotToVegaLite(plot) as unknown as Spec;
    expect(useLogY(plot)).toBe(true);
    expect(spec.layer.find((layer) => layer.mark.type === 'line')!.encoding.y!.scale).toEqual({ type: 'log' });
    // y = 0 cannot be drawn on a log axis; NaN and Infinity never.
    expect(spec.data.values.map((point) => [point.series, point.x, point.y])).toEqual([
      ['a', 0, 1],
      ['a', 1, 0.1],
      ['a', 2, 0.001],
      ['b', 0, 1],
    ]);
    // Data within 0.02–0.6 (a factor 30) stays linear even when the experiment asked for log.
    const narrow: PlotSpec = { ...plot, series: [{ name: 'a', x: [0, 1], y: [0.6, 0.02] }] };
    expect(useLogY(narrow)).toBe(false);
    expect(useLogY({ ...plot, logY: false })).toBe(false);
    const linear = plotToVegaLite({ ...plot, logY: false }) as unknown as Spec;
    expect(linear.data.values).toHaveLength(5);
  });

  it('finds where a series goes non-finite and labels it "diverged at step N"', async () => {
    expect(divergences(fakes[2]!)).toEqual([{ series: 'AdamW FP8 states', x: 4, lastY: 0.3 }]);
    expect(divergences(plot)).toEqual([{ series: 'b', x: 2, lastY: 0 }]);
    const svg = await renderPlotSvg(fakes[2]!);
    expect(svg).toContain('AdamW FP8 states: diverged at step 4');
    // A curve that stops before the run went non-finite says where with divergedAt.
    const stopped: PlotSpec = { ...fakes[2]!, series: [{ name: 'AdamW', x: [0, 2], y: [0.6, 0.4], divergedAt: 4 }] };
    expect(divergences(stopped)).toEqual([{ series: 'AdamW', x: 4, lastY: 0.4 }]);
    expect(await renderPlotSvg(stopped)).toContain('AdamW: diverged at step 4');
  });

  it('wraps long titles into lines of at most 56 characters', () => {
    const lines = wrapTitle(fakes[1]!.title);
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(56);
    expect(lines.join(' ')).toBe(fakes[1]!.title.replace(/\s+/g, ' ').trim());
  });

  it('draws categories as bars or points with error bars, never as a line', () => {
    for (const fake of fakes.filter((candidate) => candidate.kind === 'bar' || candidate.kind === 'point')) {
      const marks = (plotToVegaLite(fake) as unknown as Spec).layer.map((layer) => layer.mark.type);
      expect(marks).not.toContain('line');
      expect(marks).toContain(fake.kind);
    }
    const point = plotToVegaLite(fakes[4]!) as unknown as Spec;
    expect(point.layer.map((layer) => layer.mark.type)).toEqual(['point', 'rule']);
    expect(point.data.values[1]).toMatchObject({ series: 'all items', category: 'Rel-MF', y: 0.2, lower: 0.18, upper: 0.22 });
  });

  it('styles baselines dashed and colours series with the Okabe–Ito palette', () => {
    const spec = plotToVegaLite(plot) as unknown as Spec;
    const line = spec.layer.find((layer) => layer.mark.type === 'line')!;
    expect(line.encoding.strokeDash!.scale).toEqual({ domain: ['method', 'baseline'], range: [[1, 0], [6, 4]] });
    // No baseline, no dash legend.
    const methodsOnly = plotToVegaLite({ ...plot, series: [plot.series[0]!] }) as unknown as Spec;
    expect(methodsOnly.layer.find((layer) => layer.mark.type === 'line')!.encoding.strokeDash).toBeUndefined();
    expect(line.encoding.color!.scale).toEqual({ domain: ['a', 'b'], range: [PALETTE[0], PALETTE[1]] });
    expect(spec.data.values.find((point) => point.series === 'b')).toMatchObject({ role: 'baseline' });
  });

  it('renders every kind as a standalone SVG of the same width, title escaped, values in tooltips', async () => {
    const dump = process.env.UNBIASED_PLOT_DUMP;
    if (dump) mkdirSync(dump, { recursive: true });
    for (const fake of fakes) {
      const svg = await renderPlotSvg(fake);
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svgWidth(svg), fake.id).toBe(PLOT_WIDTH);
      if (dump) writeFileSync(join(dump, `${fake.id}.svg`), svg);
    }
    const svg = await renderPlotSvg(plot);
    expect(svg).toContain('Loss &lt;&amp;&gt; curve');
  });
});

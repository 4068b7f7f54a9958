import type { PlotSpec } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { plotToVegaLite, renderPlotSvg } from '../src/report/plot.js';

const plot: PlotSpec = {
  id: 'loss',
  title: 'Loss <&> curve',
  xLabel: 'step',
  yLabel: 'loss',
  logY: true,
  series: [
    { name: 'a', x: [0, 1, 2], y: [1, 0.1, 0.01] },
    { name: 'b', x: [0, 1, 2, 3], y: [1, 0, Number.NaN, Number.POSITIVE_INFINITY] },
  ],
};

describe('plots', () => {
  it('draws every series on a log y axis and leaves out points a log axis cannot show', () => {
    const spec = plotToVegaLite(plot) as { data: { values: unknown[] }; encoding: { y: { scale: unknown } } };
    expect(spec.encoding.y.scale).toEqual({ type: 'log' });
    expect(spec.data.values).toEqual([
      { series: 'a', x: 0, y: 1 },
      { series: 'a', x: 1, y: 0.1 },
      { series: 'a', x: 2, y: 0.01 },
      { series: 'b', x: 0, y: 1 },
    ]);
    const linear = plotToVegaLite({ ...plot, logY: false }) as { data: { values: unknown[] }; encoding: { y: { scale: unknown } } };
    expect(linear.encoding.y.scale).toEqual({ zero: false });
    expect(linear.data.values).toHaveLength(5);
  });

  it('renders a standalone SVG headless, with the title escaped', async () => {
    const svg = await renderPlotSvg(plot);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('Loss &lt;&amp;&gt; curve');
  });
});

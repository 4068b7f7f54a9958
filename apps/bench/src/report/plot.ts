import type { PlotSpec } from '@unbiased/core';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One point of the long-format data vega-lite draws. */
interface PlotPoint {
  series: string;
  x: number;
  y: number;
}

/**
 * The vega-lite spec of a {@link PlotSpec}: one line per series on shared axes, log y when `logY`.
 * Points that cannot be drawn (non-finite, or y <= 0 on a log axis) are left out.
 */
export function plotToVegaLite(plot: PlotSpec): TopLevelSpec {
  const values: PlotPoint[] = [];
  for (const series of plot.series) {
    const length = Math.min(series.x.length, series.y.length);
    for (let index = 0; index < length; index++) {
      const x = series.x[index]!;
      const y = series.y[index]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (plot.logY && y <= 0)) continue;
      values.push({ series: series.name, x, y });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: plot.title,
    width: 480,
    height: 300,
    background: 'white',
    data: { values },
    mark: { type: 'line', interpolate: 'linear' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: plot.xLabel },
      y: {
        field: 'y',
        type: 'quantitative',
        title: plot.yLabel,
        scale: plot.logY ? { type: 'log' } : { zero: false },
      },
      color: {
        field: 'series',
        type: 'nominal',
        title: null,
        sort: plot.series.map((series) => series.name),
        legend: { orient: 'bottom', direction: 'vertical', labelLimit: 600 },
      },
    },
  };
}

/** Renders a {@link PlotSpec} to an SVG string, headless (vega `View` with renderer `none`, no canvas needed). */
export async function renderPlotSvg(plot: PlotSpec): Promise<string> {
  const vegaSpec = compile(plotToVegaLite(plot)).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

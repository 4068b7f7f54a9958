// Every registered experiment's plots, rendered from a tiny fake result of the same shape (plot ids, kinds,
// categories, series names and roles, intervals, divergence: fixtures/plot-catalogue.json, made from a real
// `reproduce --all` report by fixtures/make-plot-catalogue.mjs). Checks the chart kinds and that every chart
// has the same width.
import { readFileSync } from 'node:fs';
import { type PlotKind, type PlotSpec, listExperiments } from '@unbiased/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPlugins } from '../src/plugins.js';
import { PLOT_WIDTH, plotToVegaLite, renderPlotSvg } from '../src/report/plot.js';

interface CataloguePlot {
  id: string;
  kind: PlotKind;
  categories?: string[];
  logY?: boolean;
  series: { name: string; role?: 'baseline' | 'method'; points: number; interval: boolean; diverges: boolean }[];
}

const catalogue = JSON.parse(readFileSync(new URL('./fixtures/plot-catalogue.json', import.meta.url), 'utf8')) as {
  source: string;
  experiments: Record<string, CataloguePlot[]>;
};

/** A tiny result of the catalogue's shape: at most 4 points a series, positive values, NaN where it diverges. */
function fake(plot: CataloguePlot): PlotSpec {
  const spec: PlotSpec = {
    id: plot.id,
    title: `${plot.id}: a fake of the same shape`,
    xLabel: 'step',
    yLabel: 'value',
    kind: plot.kind,
    series: plot.series.map((series, index) => {
      const count = plot.categories ? plot.categories.length : Math.max(1, Math.min(series.points, 4));
      const x = Array.from({ length: count }, (_, point) => point);
      const y = x.map((point) => 1 + index + 0.5 * point);
      if (series.diverges) y[count - 1] = Number.NaN;
      return {
        name: series.name,
        x,
        y,
        ...(series.role ? { role: series.role } : {}),
        ...(series.interval ? { lower: y.map((value) => value - 0.25), upper: y.map((value) => value + 0.25) } : {}),
      };
    }),
  };
  if (plot.categories) spec.categories = plot.categories;
  if (plot.logY !== undefined) spec.logY = plot.logY;
  return spec;
}

function svgWidth(svg: string): number {
  return Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
}

beforeAll(async () => {
  await loadPlugins();
}, 120_000);

describe('the plots of every registered experiment', () => {
  it('the catalogue is of the registered experiments (one added since is named, to regenerate the catalogue)', () => {
    const registered = listExperiments().map((experiment) => experiment.id);
    const missing = registered.filter((id) => !(id in catalogue.experiments));
    // Packages in progress add experiments often; a missing one is named rather than failing everyone's run.
    if (missing.length > 0) console.warn(`plot catalogue lacks ${missing.join(', ')}: run ${catalogue.source} --out DIR, then make-plot-catalogue.mjs DIR/report.json`);
    const known = Object.keys(catalogue.experiments).filter((id) => registered.includes(id));
    expect(known.length).toBeGreaterThanOrEqual(Object.keys(catalogue.experiments).length - 2);
  });

  it('renders every plot at the same width; categories as bars or points, never a line; divergence marked', async () => {
    for (const [id, plots] of Object.entries(catalogue.experiments)) {
      for (const plot of plots) {
        const spec = fake(plot);
        const marks = (plotToVegaLite(spec) as unknown as { layer: { mark: { type: string } }[] }).layer.map((layer) => layer.mark.type);
        if (plot.categories) {
          expect(['bar', 'point'], `${id}/${plot.id}`).toContain(plot.kind);
          expect(marks, `${id}/${plot.id}`).not.toContain('line');
        } else expect(marks, `${id}/${plot.id}`).toContain('line');
        const svg = await renderPlotSvg(spec);
        expect(svgWidth(svg), `${id}/${plot.id}`).toBe(PLOT_WIDTH);
        if (plot.series.some((series) => series.diverges)) expect(svg, `${id}/${plot.id}`).toContain('diverged at step');
      }
    }
  }, 120_000);

  it('the comparisons the issue names use the fitting kind', () => {
    const kindOf = (experiment: string, plot: string) => catalogue.experiments[experiment]?.find((candidate) => candidate.id === plot);
    expect(kindOf('relmf-mnar', 'dcg5')).toMatchObject({ kind: 'point' });
    expect(kindOf('calibration-attenuation', 'spread-at-tau2')).toMatchObject({ kind: 'point' });
    expect(kindOf('calibration-attenuation', 'spread-at-tau2')!.series[0]!.interval).toBe(true);
    expect(kindOf('stosignsgd-fp8', 'loss')!.series.some((series) => series.diverges)).toBe(true);
  });
});

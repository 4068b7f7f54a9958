import type { PlotKind, PlotSpec, Series } from '@unbiased/core';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Every chart is this many pixels wide (axes, legend and title included), so charts line up in a report. */
export const PLOT_WIDTH = 640;
const PLOT_HEIGHT = 340;
/**
 * Titles wrap at this many characters (the rest of a long title goes to further lines, never wider): headless
 * vega estimates text widths generously, so this keeps a bold 13 px line inside the chart's width.
 */
const TITLE_WRAP = 56;
/** A log y axis only when the finite positive values span more than this factor (two decades). */
export const LOG_SPAN = 100;

/**
 * The Okabe–Ito palette, distinguishable with the common colour-vision deficiencies (Okabe & Ito, "Color
 * Universal Design", 2008); black is last. Beyond eight series colours repeat with another point shape.
 */
export const PALETTE = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#F0E442', '#000000'];
/**
 * Seven shapes against eight colours: series 9 onwards repeat a colour but not its shape (the pair repeats
 * only after 56 series).
 */
const SHAPES = ['circle', 'square', 'triangle-up', 'diamond', 'cross', 'triangle-down', 'triangle-right'];
/** Line series get point markers at about this many places, shapes per series, so identical curves stay apart. */
const MARKERS_PER_LINE = 12;

/** One point of the long-format data vega-lite draws. */
interface PlotPoint {
  series: string;
  role: 'baseline' | 'method';
  x: number;
  y: number;
  lower?: number;
  upper?: number;
  category?: string;
  marker?: boolean;
}

/** Where a series first goes non-finite (after being finite or from the start). */
export interface Divergence {
  series: string;
  x: number;
  /** The last finite y before it, to place the marker; undefined when the series never had one. */
  lastY: number | undefined;
}

/** The kind the report draws: the plot's own, `line` by default. */
export function plotKind(plot: PlotSpec): PlotKind {
  return plot.kind ?? 'line';
}

/** Splits a title into lines of at most {@link TITLE_WRAP} characters at spaces. */
export function wrapTitle(title: string, width = TITLE_WRAP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of title.split(/\s+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.length > 0 ? lines : [''];
}

/** Where each series diverged: its `divergedAt`, else the first x where y is not finite; for line and band plots. */
export function divergences(plot: PlotSpec): Divergence[] {
  const found: Divergence[] = [];
  for (const series of plot.series) {
    let lastY: number | undefined;
    const length = Math.min(series.x.length, series.y.length);
    if (series.divergedAt !== undefined && Number.isFinite(series.divergedAt)) {
      const finite = series.y.slice(0, length).filter((y) => Number.isFinite(y));
      found.push({ series: series.name, x: series.divergedAt, lastY: finite[finite.length - 1] });
      continue;
    }
    for (let index = 0; index < length; index++) {
      const y = series.y[index]!;
      if (Number.isFinite(y)) {
        lastY = y;
        continue;
      }
      if (Number.isFinite(series.x[index]!)) found.push({ series: series.name, x: series.x[index]!, lastY });
      break;
    }
  }
  return found;
}

function finitePositive(values: (number | undefined)[]): number[] {
  return values.filter((value): value is number => value !== undefined && Number.isFinite(value) && value > 0);
}

/**
 * Whether the y axis is logarithmic: never for bars nor when `logY` is false; otherwise only when no finite y is
 * negative (nor zero, unless `logY` is true) and the positive values span more than {@link LOG_SPAN} (so a loss falling 1 → 0.001 gets a log axis,
 * one within 0.02–0.6 does not).
 */
export function useLogY(plot: PlotSpec): boolean {
  if (plot.logY === false || plotKind(plot) === 'bar') return false;
  const all = plot.series.flatMap((series) => series.y.filter((y) => Number.isFinite(y)));
  // Zeros are left out of a log axis only when the experiment asked for one (a loss that reaches 0 exactly).
  if (all.length === 0 || all.some((y) => y < 0 || (y === 0 && plot.logY !== true))) return false;
  const positive = finitePositive(all);
  return Math.max(...positive) / Math.min(...positive) > LOG_SPAN;
}

function roleOf(series: Series): 'baseline' | 'method' {
  return series.role === 'baseline' ? 'baseline' : 'method';
}

function points(plot: PlotSpec, logY: boolean): PlotPoint[] {
  const categorical = plotKind(plot) === 'bar' || plotKind(plot) === 'point';
  const values: PlotPoint[] = [];
  for (const [seriesIndex, series] of plot.series.entries()) {
    const length = Math.min(series.x.length, series.y.length);
    const every = Math.max(1, Math.ceil(length / MARKERS_PER_LINE));
    // Each series puts its markers at other points than the previous one, so identical curves show both.
    const phase = Math.round((seriesIndex * every) / Math.max(1, plot.series.length)) % every;
    for (let index = 0; index < length; index++) {
      const x = series.x[index]!;
      const y = series.y[index]!;
      if (!Number.isFinite(x) || !Number.isFinite(y) || (logY && y <= 0)) continue;
      const point: PlotPoint = { series: series.name, role: roleOf(series), x, y };
      const lower = series.lower?.[index];
      const upper = series.upper?.[index];
      if (lower !== undefined && upper !== undefined && Number.isFinite(lower) && Number.isFinite(upper)) {
        // A log axis cannot show an interval reaching zero: clip its lower end to the point itself.
        point.lower = logY && lower <= 0 ? y : lower;
        point.upper = upper;
      }
      if (categorical) point.category = plot.categories?.[x] ?? String(x);
      else point.marker = index % every === phase;
      values.push(point);
    }
  }
  return values;
}

const tooltipFields = (categorical: boolean, plot: PlotSpec) => [
  { field: 'series', type: 'nominal' as const, title: 'series' },
  categorical ? { field: 'category', type: 'nominal' as const, title: plot.xLabel } : { field: 'x', type: 'quantitative' as const, title: plot.xLabel },
  { field: 'y', type: 'quantitative' as const, title: plot.yLabel, format: '.4~g' },
  { field: 'lower', type: 'quantitative' as const, title: '95% lower', format: '.4~g' },
  { field: 'upper', type: 'quantitative' as const, title: '95% upper', format: '.4~g' },
];

/**
 * The vega-lite spec of a {@link PlotSpec}, {@link PLOT_WIDTH} px wide whatever the title or legend:
 * - `line` / `band`: one line per series over a numeric x (dashed for `role: 'baseline'`), point markers with a
 *   shape per series (identical curves stay distinguishable), the `lower`/`upper` interval shaded, and a rule
 *   with "diverged at <x label> N" where a series goes non-finite;
 * - `bar` / `point`: a categorical x axis (`categories`), one bar or point per series and category, error bars
 *   from `lower`/`upper`.
 * Colours: {@link PALETTE}. y is logarithmic only when {@link useLogY}. Points that cannot be drawn
 * (non-finite, or y <= 0 on a log axis) are left out; every mark has a tooltip with its values.
 */
export function plotToVegaLite(plot: PlotSpec): TopLevelSpec {
  const kind = plotKind(plot);
  const logY = useLogY(plot);
  const values = points(plot, logY);
  const names = plot.series.map((series) => series.name);
  const categorical = kind === 'bar' || kind === 'point';
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: names, range: names.map((_, index) => PALETTE[index % PALETTE.length]!) },
    legend: { orient: 'bottom' as const, direction: 'vertical' as const, labelLimit: PLOT_WIDTH - 80, symbolOpacity: 1 },
  };
  const y = { field: 'y', type: 'quantitative' as const, title: plot.yLabel, scale: logY ? { type: 'log' as const } : kind === 'bar' ? { zero: true } : { zero: false } };
  const tooltip = tooltipFields(categorical, plot);
  const hasInterval = values.some((point) => point.lower !== undefined);
  const layers: Record<string, unknown>[] = [];
  if (categorical) {
    const x = { field: 'category', type: 'nominal' as const, title: plot.xLabel, sort: plot.categories ?? null, axis: { labelAngle: -30, labelLimit: 220 } };
    const xOffset = { field: 'series', type: 'nominal' as const, sort: names };
    if (kind === 'bar') layers.push({ mark: { type: 'bar' }, encoding: { x, xOffset, y, color, tooltip } });
    else layers.push({ mark: { type: 'point', filled: true, size: 70 }, encoding: { x, xOffset, y, color, shape: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, i) => SHAPES[i % SHAPES.length]!) }, legend: { orient: 'bottom', direction: 'vertical', labelLimit: PLOT_WIDTH - 80, symbolOpacity: 1 } }, tooltip } });
    if (hasInterval) {
      layers.push({
        transform: [{ filter: 'isValid(datum.lower)' }],
        mark: { type: 'rule', strokeWidth: 1.5 },
        encoding: { x, xOffset, y: { ...y, field: 'lower' }, y2: { field: 'upper' }, color, tooltip },
      });
    }
  } else {
    // Integer x (steps, ranks, counts) gets integer ticks: "3", not "3.0".
    const integerX = values.length > 0 && values.every((point) => Number.isInteger(point.x));
    const x = { field: 'x', type: 'quantitative' as const, title: plot.xLabel, scale: { zero: false, nice: false }, ...(integerX ? { axis: { format: ',d', tickMinStep: 1 } } : {}) };
    // Dashes only where a plot has baselines; the legend then says which style is which.
    const hasBaseline = plot.series.some((series) => series.role === 'baseline');
    const strokeDash = {
      field: 'role',
      type: 'nominal' as const,
      title: null,
      scale: { domain: ['method', 'baseline'], range: [[1, 0], [6, 4]] },
      legend: { orient: 'bottom' as const, direction: 'horizontal' as const, symbolOpacity: 1 },
    };
    if (hasInterval || kind === 'band') {
      layers.push({
        transform: [{ filter: 'isValid(datum.lower)' }],
        mark: { type: 'area', opacity: 0.18 },
        encoding: { x, y: { ...y, field: 'lower' }, y2: { field: 'upper' }, color, detail: { field: 'series' } },
      });
    }
    layers.push({ mark: { type: 'line', interpolate: 'linear', strokeWidth: 1.8 }, encoding: { x, y, color, ...(hasBaseline ? { strokeDash } : {}), tooltip } });
    layers.push({
      transform: [{ filter: 'datum.marker' }],
      mark: { type: 'point', filled: false, size: 36, strokeWidth: 1.4 },
      encoding: { x, y, color, shape: { field: 'series', type: 'nominal', scale: { domain: names, range: names.map((_, i) => SHAPES[i % SHAPES.length]!) }, legend: null }, tooltip },
    });
    const xs = values.map((point) => point.x);
    const middle = xs.length > 0 ? (Math.min(...xs) + Math.max(...xs)) / 2 : 0;
    for (const [index, divergence] of divergences(plot).entries()) {
      // The label sits inside the plot: left of the rule in the right half, right of it in the left half.
      const right = divergence.x > middle;
      const label = `${divergence.series}: diverged at ${plot.xLabel} ${divergence.x}`;
      layers.push({
        data: { values: [{ x: divergence.x, series: divergence.series, label }] },
        mark: { type: 'rule', strokeDash: [2, 2], strokeWidth: 1.5 },
        encoding: { x: { field: 'x', type: 'quantitative' }, color, tooltip: { field: 'label', type: 'nominal' } },
      });
      layers.push({
        data: { values: [{ x: divergence.x, series: divergence.series, label }] },
        mark: { type: 'text', align: right ? 'right' : 'left', baseline: 'top', dx: right ? -4 : 4, dy: 4 + 14 * index, fontWeight: 'bold', y: 0 },
        encoding: { x: { field: 'x', type: 'quantitative' }, text: { field: 'label' }, color },
      });
    }
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: wrapTitle(plot.title), anchor: 'start', limit: PLOT_WIDTH - 20, fontSize: 13 },
    width: PLOT_WIDTH,
    height: PLOT_HEIGHT,
    autosize: { type: 'fit-x', contains: 'padding' },
    background: 'white',
    data: { values },
    layer: layers,
  } as unknown as TopLevelSpec; // the layers are built as plain objects; vega-lite validates them when compiling
}

/**
 * vega-lite's warnings go to stderr as usual, except one it gives for every curve plot: the point markers'
 * shape legend is merged into the colour legend of the lines (the wanted result), which it reports as a
 * "Conflicting legend property disable" that it then resolves the right way.
 */
const compileLogger = (() => {
  let current = 2;
  const logger = {
    level(value?: number) {
      if (value === undefined) return current as unknown as typeof logger;
      current = value;
      return logger;
    },
    error: (...messages: unknown[]) => {
      console.error(...messages);
      return logger;
    },
    warn: (...messages: unknown[]) => {
      if (!/Conflicting legend property "disable"/.test(messages.map(String).join(' '))) console.warn('WARN', ...messages);
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  return logger;
})();

/**
 * Gives every drawn mark (a self-closing element that vega labelled for screen readers) an SVG `<title>` with the
 * same text, so a browser shows its values as a tooltip with no script; values a point does not have are left out.
 */
export function addSvgTooltips(svg: string): string {
  return svg.replace(/<(path|rect|line|circle)(\s[^>]*?)aria-label="([^"]*)"([^>]*?)\/>/g, (_, tag: string, before: string, label: string, after: string) => {
    const text = label.replace(/(?:^|; )[^;:]+: NaN(?=;|$)/g, '').replace(/^; /, '');
    return `<${tag}${before}aria-label="${text}"${after}><title>${text}</title></${tag}>`;
  });
}

/**
 * Renders a {@link PlotSpec} to an SVG string, headless (vega `View` with renderer `none`, no canvas needed),
 * with a `<title>` tooltip on every mark.
 */
export async function renderPlotSvg(plot: PlotSpec): Promise<string> {
  const vegaSpec = compile(plotToVegaLite(plot), { logger: compileLogger }).spec;
  const view = new View(parse(vegaSpec), { renderer: 'none' });
  try {
    return addSvgTooltips(await view.toSVG());
  } finally {
    view.finalize();
  }
}

import { join } from 'node:path';
import type { PlotSpec, ResultTable } from '@unbiased/core';
import type { RunOutcome, RunRecord } from '../commands/reproduce.js';
import { formatNumber, markdownTable } from '../format.js';
import { renderPlotSvg } from './plot.js';
import { type ReportFile, type ReportTarget, type WriteReportOptions, writeReportSet } from './report-set.js';

/** A run in report.json: the `--json` record plus what the experiment returned for the report. */
export interface ReportRun extends RunRecord {
  title: string;
  package: string;
  paper: { title: string; year: number; claim: string; url?: string };
  table?: ResultTable;
  plots?: PlotSpec[];
  /** SVG file names (relative to the report directory), one per plot, in the order of `plots`. */
  plot_files?: string[];
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function plotFileName(outcome: RunOutcome, plot: PlotSpec, multiBackend: boolean): string {
  const { id, backend } = outcome.record;
  return multiBackend ? `${safeName(id)}-${safeName(backend)}-${safeName(plot.id)}.svg` : `${safeName(id)}-${safeName(plot.id)}.svg`;
}

function markdown(runs: ReportRun[], generatedAt: string): string {
  const lines: string[] = ['# unbiased reproduce report', '', `Generated ${generatedAt}.`, ''];
  lines.push(
    markdownTable(
      ['experiment', 'backend', 'seed', 'scale', 'seconds', 'claim holds'],
      runs.map((run) => [run.id, run.backend, run.seed, run.scale, run.seconds, run.error !== undefined ? 'error' : run.claim.holds ? '✓ yes' : '✗ no']),
    ),
    '',
  );
  for (const run of runs) {
    lines.push(`## ${run.title} (\`${run.id}\`, ${run.backend})`, '');
    const paper = run.paper.url ? `[${run.paper.title}](${run.paper.url})` : `*${run.paper.title}*`;
    lines.push(`Paper: ${paper} (${run.paper.year}). Package: \`${run.package}\`. Seed ${run.seed}, scale ${run.scale}, ${run.seconds} s.`, '');
    lines.push(`Paper's claim: ${run.paper.claim}`, '');
    if (run.error !== undefined) {
      lines.push(`**The run threw:** \`${run.error.replace(/`/g, "'").split('\n')[0]}\``, '');
      continue;
    }
    lines.push(`Checked: ${run.claim.text}: **${run.claim.holds ? 'holds ✓' : 'does not hold ✗'}**`, '');
    const metrics = Object.entries(run.metrics);
    if (metrics.length > 0) lines.push('### Metrics', '', markdownTable(['metric', 'value'], metrics.map(([name, value]) => [name, formatNumber(value, 6)])), '');
    if (run.table) lines.push('### Results', '', markdownTable(run.table.columns, run.table.rows), '');
    if (run.plots && run.plot_files) {
      lines.push('### Plots', '');
      for (const [index, plot] of run.plots.entries()) lines.push(`![${plot.title}](${encodeURI(run.plot_files[index]!)})`, '');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Writes `report.json`, `report.md` and one SVG per plot as the new content of the report directory
 * `target` (from `prepareReportDirectory`), as a set: the files go into a fresh folder next to it that
 * replaces it only when complete (see `writeReportSet`); files the previous report did not write are kept.
 * Returns the paths written. With an aborted `options.signal` it throws `ReportInterruptedError` and the
 * previous report stays as it was.
 */
export async function writeReproduceReport(
  target: ReportTarget,
  outcomes: RunOutcome[],
  { now = new Date(), ...options }: { now?: Date } & WriteReportOptions = {},
): Promise<string[]> {
  const files: ReportFile[] = [];
  const backendsById = new Map<string, Set<string>>();
  for (const { record } of outcomes) backendsById.set(record.id, (backendsById.get(record.id) ?? new Set()).add(record.backend));

  const runs: ReportRun[] = [];
  for (const outcome of outcomes) {
    const { experiment, result, record } = outcome;
    const run: ReportRun = {
      ...record,
      title: experiment.title,
      package: experiment.packageName,
      paper: { ...experiment.paper },
    };
    if (result?.table) run.table = result.table;
    if (result?.plots && result.plots.length > 0) {
      run.plots = result.plots;
      run.plot_files = [];
      const multiBackend = (backendsById.get(record.id)?.size ?? 0) > 1;
      for (const plot of result.plots) {
        const name = plotFileName(outcome, plot, multiBackend);
        files.push({ name, data: await renderPlotSvg(plot) });
        run.plot_files.push(name);
      }
    }
    runs.push(run);
  }
  files.push({ name: 'report.json', data: `${JSON.stringify({ runs }, null, 2)}\n` });
  files.push({ name: 'report.md', data: markdown(runs, now.toISOString()) });
  await writeReportSet(target, files, options);
  return files.map((file) => join(target.path, file.name));
}

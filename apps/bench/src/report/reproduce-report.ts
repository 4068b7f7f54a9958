import { join } from 'node:path';
import type { PlotSpec, ResultTable } from '@unbiased/core';
import { type ExperimentSummary, formatMeanSd, type RunOutcome, type RunRecord, statusLabel, summarizeRuns } from '../commands/reproduce.js';
import { formatNumber, markdownTable } from '../format.js';
import { reportHtml } from './html.js';
import { renderPlotSvg } from './plot.js';
import { aggregatePlots, SEED_RULE } from './seed-stats.js';
import { type ReportFile, type ReportTarget, type WriteReportOptions, writeReportSet } from './report-set.js';

/** A run in report.json: the `--json` record (one seed) plus what the experiment returned for the report. */
export interface ReportRun extends RunRecord {
  title: string;
  package: string;
  paper: { title: string; year: number; claim: string; url?: string };
  table?: ResultTable;
  /** SVG file names of this experiment's plots (over all its seeds), relative to the report directory. */
  plot_files?: string[];
}

/** One experiment on one backend over its seeds, as report.json keeps it (the per-seed values are in `metrics[*].values`). */
export interface ReportSummary extends ExperimentSummary {
  title: string;
  package: string;
  paper: { title: string; year: number; claim: string; url?: string };
  /** The command that reproduces this summary. */
  command: string;
  /** The plots drawn: one seed's own, or the mean over seeds with 95% intervals. */
  plots?: PlotSpec[];
  plot_files?: string[];
}

function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function plotFileName(id: string, backend: string, plot: PlotSpec, multiBackend: boolean): string {
  return multiBackend ? `${safeName(id)}-${safeName(backend)}-${safeName(plot.id)}.svg` : `${safeName(id)}-${safeName(plot.id)}.svg`;
}

/** `0-4` for consecutive seeds, else `0,2,5`. */
export function seedList(seeds: number[]): string {
  const consecutive = seeds.length > 2 && seeds.every((seed, index) => index === 0 || seed === seeds[index - 1]! + 1);
  return consecutive ? `${seeds[0]}-${seeds[seeds.length - 1]}` : seeds.join(',');
}

function reproduceCommand(summary: ExperimentSummary): string {
  const seeds = summary.seeds.length === 1 ? `--seed ${summary.seeds[0]}` : `--seeds ${seedList(summary.seeds)}`;
  return `unbiased reproduce ${summary.id} --backend ${summary.backend} ${seeds} --scale ${summary.scale}`;
}

export function statusCell(summary: ReportSummary): string {
  if (summary.judged === 0 && summary.errors) return 'error';
  const seeds = summary.seeds.length > 1 ? ` (${summary.held_on}/${summary.judged} seeds)` : '';
  return `${statusLabel(summary.status)}${seeds}`;
}

export function metricRows(summary: ReportSummary): (string | number)[][] {
  return Object.entries(summary.metrics).map(([name, metric]) => {
    const row: (string | number)[] = [name, formatMeanSd(metric, 6)];
    if (summary.seeds.length > 1) {
      row.push(metric.n > 1 ? `[${formatNumber(metric.lower)}, ${formatNumber(metric.upper)}]` : '–');
      row.push(metric.values.map((value) => formatNumber(value)).join(', '));
    }
    return row;
  });
}

export function metricColumns(summary: ReportSummary): string[] {
  return summary.seeds.length > 1 ? ['metric', 'mean ± sd (n)', '95% t-interval', 'per seed'] : ['metric', 'value'];
}

export function seedsText(summary: ExperimentSummary): string {
  return summary.seeds.length === 1 ? `Seed ${summary.seeds[0]}` : `Seeds ${summary.seeds.join(', ')} (n = ${summary.seeds.length})`;
}

function markdown(summaries: ReportSummary[], runs: ReportRun[], generatedAt: string): string {
  const lines: string[] = ['# unbiased reproduce report', '', `Generated ${generatedAt}.`, ''];
  lines.push(
    markdownTable(
      ['experiment', 'backend', 'seeds', 'scale', 'seconds', 'claim status'],
      summaries.map((summary) => [summary.id, summary.backend, seedList(summary.seeds), summary.scale, summary.seconds, statusCell(summary)]),
    ),
    '',
  );
  if (summaries.some((summary) => summary.seeds.length > 1)) lines.push(`Status over seeds: ${SEED_RULE}. Metrics: mean ± sample sd (number of finite seeds).`, '');
  for (const summary of summaries) {
    lines.push(`## ${summary.title} (\`${summary.id}\`, ${summary.backend})`, '');
    const paper = summary.paper.url ? `[${summary.paper.title}](${summary.paper.url})` : `*${summary.paper.title}*`;
    lines.push(`Paper: ${paper} (${summary.paper.year}). Package: \`${summary.package}\`. ${seedsText(summary)}, scale ${summary.scale}, ${summary.seconds} s.`, '');
    lines.push(`Reproduce: \`${summary.command}\``, '');
    lines.push(`Paper's claim: ${summary.paper.claim}`, '');
    for (const error of summary.errors ?? []) lines.push(`**The run threw** (${error.replace(/`/g, "'")})`, '');
    if (summary.judged === 0) continue;
    lines.push(`Checked: ${summary.claim_text}: **${statusLabel(summary.status)}**`, '');
    if (summary.failing.length > 0) lines.push('Falls short:', '', ...summary.failing.map((item) => `- ${item}`), '');
    if (Object.keys(summary.metrics).length > 0) lines.push('### Metrics', '', markdownTable(metricColumns(summary), metricRows(summary)), '');
    const run = runs.find((candidate) => candidate.id === summary.id && candidate.backend === summary.backend && candidate.table !== undefined);
    if (run?.table) lines.push(summary.seeds.length > 1 ? `### Results (seed ${run.seed})` : '### Results', '', markdownTable(run.table.columns, run.table.rows), '');
    if (summary.plots && summary.plot_files) {
      lines.push('### Plots', '');
      for (const [index, plot] of summary.plots.entries()) {
        lines.push(`![${plot.title}](${encodeURI(summary.plot_files[index]!)})`, '');
        if (plot.caption) lines.push(`*${plot.caption}*`, '');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/**
 * Writes `report.json` (per-seed runs and per-experiment summaries), `report.md`, a self-contained
 * `report.html` and one SVG per plot (the mean over seeds when several ran) as the new content of the report directory
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
  const summaries = summarizeRuns(outcomes.map((outcome) => outcome.record));
  const backendsById = new Map<string, Set<string>>();
  for (const { record } of outcomes) backendsById.set(record.id, (backendsById.get(record.id) ?? new Set()).add(record.backend));

  const reportSummaries: ReportSummary[] = [];
  const plotFilesOf = new Map<string, string[]>();
  for (const summary of summaries) {
    const group = outcomes.filter((outcome) => outcome.record.id === summary.id && outcome.record.backend === summary.backend);
    const { experiment } = group[0]!;
    const reportSummary: ReportSummary = {
      ...summary,
      title: experiment.title,
      package: experiment.packageName,
      paper: { ...experiment.paper },
      command: reproduceCommand(summary),
    };
    const ran = group.filter((outcome) => outcome.result !== undefined);
    const plots = aggregatePlots(
      ran.map((outcome) => outcome.result!),
      ran.map((outcome) => outcome.record.seed),
    );
    if (plots.length > 0) {
      reportSummary.plots = plots;
      reportSummary.plot_files = [];
      const multiBackend = (backendsById.get(summary.id)?.size ?? 0) > 1;
      for (const plot of plots) {
        const name = plotFileName(summary.id, summary.backend, plot, multiBackend);
        files.push({ name, data: await renderPlotSvg(plot) });
        reportSummary.plot_files.push(name);
      }
      plotFilesOf.set(`${summary.id}\u0000${summary.backend}`, reportSummary.plot_files);
    }
    reportSummaries.push(reportSummary);
  }
  const runs: ReportRun[] = outcomes.map(({ experiment, result, record }) => {
    const run: ReportRun = { ...record, title: experiment.title, package: experiment.packageName, paper: { ...experiment.paper } };
    if (result?.table) run.table = result.table;
    const plotFiles = plotFilesOf.get(`${record.id}\u0000${record.backend}`);
    if (plotFiles) run.plot_files = plotFiles;
    return run;
  });
  const generatedAt = now.toISOString();
  files.push({ name: 'report.json', data: `${JSON.stringify({ runs, summaries: reportSummaries }, null, 2)}\n` });
  files.push({ name: 'report.md', data: markdown(reportSummaries, runs, generatedAt) });
  const svgs = new Map(files.filter((file) => file.name.endsWith('.svg')).map((file) => [file.name, String(file.data)]));
  files.push({ name: 'report.html', data: reportHtml(reportSummaries, runs, svgs, generatedAt) });
  await writeReportSet(target, files, options);
  return files.map((file) => join(target.path, file.name));
}

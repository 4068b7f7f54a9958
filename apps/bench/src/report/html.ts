import type { ResultTable } from '@unbiased/core';
import { formatNumber } from '../format.js';
import { metricColumns, metricRows, type ReportRun, type ReportSummary, seedList, seedsText, statusCell } from './reproduce-report.js';
import { SEED_RULE } from './seed-stats.js';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cell(value: string | number): string {
  return escapeHtml(typeof value === 'number' ? formatNumber(value) : value);
}

function table(columns: string[], rows: (string | number)[][]): string {
  const head = `<tr>${columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${columns.map((_, index) => `<td>${cell(row[index] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function anchor(summary: ReportSummary): string {
  return `${summary.id}-${summary.backend}`.replace(/[^A-Za-z0-9_-]+/g, '_');
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{background:#f3f3f3;padding:.1em .3em;border-radius:3px}
.status-holds{color:#006d2c;font-weight:600}.status-partial{color:#9a5b00;font-weight:600}.status-fails,.status-error{color:#b00020;font-weight:600}
figure{margin:1em 0}figcaption{font-size:.9em;color:#444;max-width:640px}section{border-top:1px solid #ddd;margin-top:2em}`;

/**
 * The report as one self-contained HTML page (no script, no network): the summary table with each claim's
 * status, then per experiment its paper, claim, status and what fell short, the metrics (mean ± sd (n), 95%
 * t-interval, per seed), the result table, the plots as inline SVG (each mark has a `<title>` tooltip with its
 * values) and the command that reproduces it.
 */
export function reportHtml(summaries: ReportSummary[], runs: ReportRun[], svgs: Map<string, string>, generatedAt: string): string {
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  parts.push(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
  parts.push('<title>unbiased reproduce report</title>', `<style>${STYLE}</style>`, '</head>', '<body>');
  parts.push('<h1>unbiased reproduce report</h1>', `<p>Generated ${escapeHtml(generatedAt)}.</p>`);
  const statusClass = (summary: ReportSummary) => (summary.judged === 0 && summary.errors ? 'status-error' : `status-${summary.status}`);
  const summaryRows = summaries
    .map(
      (summary) =>
        `<tr><td><a href="#${anchor(summary)}">${escapeHtml(summary.id)}</a></td><td>${escapeHtml(summary.backend)}</td><td>${escapeHtml(seedList(summary.seeds))}</td>` +
        `<td>${escapeHtml(summary.scale)}</td><td>${summary.seconds}</td><td class="${statusClass(summary)}">${escapeHtml(statusCell(summary))}</td></tr>`,
    )
    .join('\n');
  parts.push(
    '<table>',
    '<thead><tr><th>experiment</th><th>backend</th><th>seeds</th><th>scale</th><th>seconds</th><th>claim status</th></tr></thead>',
    `<tbody>\n${summaryRows}\n</tbody>`,
    '</table>',
  );
  if (summaries.some((summary) => summary.seeds.length > 1)) parts.push(`<p>Status over seeds: ${escapeHtml(SEED_RULE)}. Metrics: mean ± sample sd (number of finite seeds).</p>`);
  for (const summary of summaries) {
    parts.push(`<section id="${anchor(summary)}">`, `<h2>${escapeHtml(summary.title)} (<code>${escapeHtml(summary.id)}</code>, ${escapeHtml(summary.backend)})</h2>`);
    const paper = summary.paper.url
      ? `<a href="${escapeHtml(summary.paper.url)}">${escapeHtml(summary.paper.title)}</a>`
      : `<em>${escapeHtml(summary.paper.title)}</em>`;
    parts.push(
      `<p>Paper: ${paper} (${summary.paper.year}). Package: <code>${escapeHtml(summary.package)}</code>. ${escapeHtml(seedsText(summary))}, scale ${escapeHtml(summary.scale)}, ${summary.seconds} s.</p>`,
    );
    parts.push(`<p>Reproduce: <code>${escapeHtml(summary.command)}</code></p>`, `<p>Paper's claim: ${escapeHtml(summary.paper.claim)}</p>`);
    for (const error of summary.errors ?? []) parts.push(`<p class="status-error">The run threw (${escapeHtml(error)})</p>`);
    if (summary.judged > 0) {
      parts.push(`<p>Checked: ${escapeHtml(summary.claim_text)}: <span class="${statusClass(summary)}">${escapeHtml(statusCell(summary))}</span></p>`);
      if (summary.failing.length > 0) parts.push('<p>Falls short:</p>', `<ul>${summary.failing.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`);
      if (Object.keys(summary.metrics).length > 0) parts.push('<h3>Metrics</h3>', table(metricColumns(summary), metricRows(summary)));
      const run = runs.find((candidate) => candidate.id === summary.id && candidate.backend === summary.backend && candidate.table !== undefined);
      const result: ResultTable | undefined = run?.table;
      if (run && result) parts.push(`<h3>Results${summary.seeds.length > 1 ? ` (seed ${run.seed})` : ''}</h3>`, table(result.columns, result.rows));
      if (summary.plots && summary.plot_files) {
        parts.push('<h3>Plots</h3>');
        for (const [index, plot] of summary.plots.entries()) {
          const svg = svgs.get(summary.plot_files[index]!) ?? '';
          parts.push(`<figure>${svg}${plot.caption ? `<figcaption>${escapeHtml(plot.caption)}</figcaption>` : ''}</figure>`);
        }
      }
    }
    parts.push('</section>');
  }
  parts.push('</body>', '</html>');
  return `${parts.join('\n')}\n`;
}

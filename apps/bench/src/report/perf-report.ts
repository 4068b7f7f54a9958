import { join } from 'node:path';
import type { PerfDocument } from '../commands/perf.js';
import { markdownTable } from '../format.js';
import { perfRows, PERF_COLUMNS } from '../commands/perf.js';
import { type ReportTarget, writeReportSet } from './report-set.js';

/**
 * Writes `report.json` (the `perf --json` document) and `report.md` as the new content of the report
 * directory `target` (from `prepareReportDirectory`), as a set: both or neither (see `writeReportSet`).
 */
export async function writePerfReport(target: ReportTarget, document: PerfDocument, now = new Date()): Promise<string[]> {
  const lines = ['# unbiased perf report', '', `Generated ${now.toISOString()}. Times in ms per step (step + fence), median of the samples; ratio = median / median of the baseline case.`, ''];
  for (const suite of document.suites) {
    lines.push(`## ${suite.suite} on ${suite.backend}`, '');
    if (suite.error !== undefined) {
      lines.push(`**The suite threw:** \`${suite.error.replace(/`/g, "'").split('\n')[0]}\``, '');
      continue;
    }
    lines.push(markdownTable(PERF_COLUMNS, perfRows(suite)), '');
  }
  await writeReportSet(target, [
    { name: 'report.json', data: `${JSON.stringify(document, null, 2)}\n` },
    { name: 'report.md', data: `${lines.join('\n').trimEnd()}\n` },
  ]);
  return [join(target.path, 'report.json'), join(target.path, 'report.md')];
}

import { join } from 'node:path';
import type { PerfDocument } from '../commands/perf.js';
import { markdownTable } from '../format.js';
import { ensureDirectory, writeFileAtomic } from '../io.js';
import { perfRows, PERF_COLUMNS } from '../commands/perf.js';

/** Writes `report.json` (the `perf --json` document) and `report.md` into `directory`, atomically. */
export async function writePerfReport(directory: string, document: PerfDocument, now = new Date()): Promise<string[]> {
  await ensureDirectory(directory);
  const lines = ['# unbiased perf report', '', `Generated ${now.toISOString()}. Times in ms per step (step + fence), median of the samples; ratio = median / median of the baseline case.`, ''];
  for (const suite of document.suites) {
    lines.push(`## ${suite.suite} on ${suite.backend}`, '');
    if (suite.error !== undefined) {
      lines.push(`**The suite threw:** \`${suite.error.replace(/`/g, "'").split('\n')[0]}\``, '');
      continue;
    }
    lines.push(markdownTable(PERF_COLUMNS, perfRows(suite)), '');
  }
  const jsonPath = join(directory, 'report.json');
  const mdPath = join(directory, 'report.md');
  await writeFileAtomic(jsonPath, `${JSON.stringify(document, null, 2)}\n`);
  await writeFileAtomic(mdPath, `${lines.join('\n').trimEnd()}\n`);
  return [jsonPath, mdPath];
}

import { listExperiments, listOptimizers, listPerfSuites } from '@unbiased/core';
import { textTable } from '../format.js';
import type { CliIo } from '../io.js';

/** The document `unbiased list --json` prints. */
export interface ListDocument {
  experiments: { id: string; title: string; package: string; paper: { title: string; year: number; claim: string; url?: string } }[];
  optimizers: { name: string; package: string; description: string; defaults: Record<string, unknown> }[];
  perf_suites: { id: string; title: string; package: string }[];
}

export function listDocument(): ListDocument {
  return {
    experiments: listExperiments().map((experiment) => ({
      id: experiment.id,
      title: experiment.title,
      package: experiment.packageName,
      paper: { ...experiment.paper },
    })),
    optimizers: listOptimizers().map((optimizer) => ({
      name: optimizer.name,
      package: optimizer.packageName,
      description: optimizer.description,
      defaults: { ...optimizer.defaults },
    })),
    perf_suites: listPerfSuites().map((suite) => ({ id: suite.id, title: suite.title, package: suite.packageName })),
  };
}

/** `unbiased list`: registered experiments, optimizers and perf suites. */
export function runList(io: CliIo, json: boolean): number {
  const document = listDocument();
  if (json) {
    io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    return 0;
  }
  const sections: string[] = [];
  sections.push(
    `Experiments (${document.experiments.length})`,
    document.experiments.length === 0
      ? '  (none registered)'
      : document.experiments
          .map((experiment) => `  ${experiment.id}  ${experiment.title}  [${experiment.package}]\n    ${experiment.paper.title} (${experiment.paper.year})\n    claim: ${experiment.paper.claim}`)
          .join('\n'),
    '',
    `Optimizers (${document.optimizers.length})`,
    document.optimizers.length === 0
      ? '  (none registered)'
      : textTable(
          ['name', 'package', 'description'],
          document.optimizers.map((optimizer) => [optimizer.name, optimizer.package, optimizer.description]),
        ).replace(/^/gm, '  '),
    '',
    `Perf suites (${document.perf_suites.length})`,
    document.perf_suites.length === 0
      ? '  (none registered)'
      : textTable(['id', 'package', 'title'], document.perf_suites.map((suite) => [suite.id, suite.package, suite.title])).replace(/^/gm, '  '),
  );
  io.stdout.write(`${sections.join('\n')}\n`);
  return 0;
}

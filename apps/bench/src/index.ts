export { main, EXIT, type CliIo } from './cli.js';
export { parseCommandLine, UsageError, type CliArgs } from './args.js';
export { writeFileAtomic } from './io.js';
export { CONFIG_FILE, type DiscoveredPlugin, type DiscoverOptions, discoverPlugins, extractPluginFlags, loadPlugins, REGISTER_FIELD } from './plugins.js';
export { runPerfSuite, median, type PerfCaseResult, type PerfSuiteResult, type PerfEvent, type PerfRunOptions } from './perf/harness.js';
export { renderPlotSvg, plotToVegaLite } from './report/plot.js';
export type { ReproduceDocument, RunRecord } from './commands/reproduce.js';
export type { PerfDocument } from './commands/perf.js';

// Side-effect entry: `import '@unbiased/ultr-dla/register'` registers the DLA experiments and perf suites.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { dlaSyntheticExperiment } from './experiments/dla-synthetic.js';
import { propensityRecoveryExperiment } from './experiments/propensity-recovery.js';
import { dlaPerfSuite } from './perf/dla-suite.js';
import { rankingMetricsPerfSuite } from './perf/ranking-metrics-suite.js';

registerExperiment(dlaSyntheticExperiment);
registerExperiment(propensityRecoveryExperiment);
registerPerfSuite(dlaPerfSuite);
registerPerfSuite(rankingMetricsPerfSuite);

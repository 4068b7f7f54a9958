// Side-effect entry: `import '@unbiased/stats-crowd/register'` registers the crowd-redundancy experiment and
// the stats-krippendorff perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { crowdRedundancyExperiment } from './experiment.js';
import { krippendorffPerfSuite } from './perf.js';

registerExperiment(crowdRedundancyExperiment);
registerPerfSuite(krippendorffPerfSuite);

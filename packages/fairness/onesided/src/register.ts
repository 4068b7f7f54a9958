// Side-effect entry: `import '@unbiased/fair-onesided/register'` registers the experiment and the perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { panelExperiment } from './experiments/panel-experiment.js';
import { onesidedPerfSuite } from './perf/onesided-suite.js';

registerExperiment(panelExperiment);
registerPerfSuite(onesidedPerfSuite);

// Side-effect entry: `import '@unbiased/ultr-dla/register'` registers the DLA experiments and perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { dlaSyntheticExperiment } from './experiments/dla-synthetic.js';
import { propensityRecoveryExperiment } from './experiments/propensity-recovery.js';
import { dlaPerfSuite } from './perf/dla-suite.js';

registerExperiment(dlaSyntheticExperiment);
registerExperiment(propensityRecoveryExperiment);
registerPerfSuite(dlaPerfSuite);

// Side-effect entry: `import '@unbiased/recsys-relmf/register'` registers the `relmf-mnar` experiment and
// the `recsys` perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { relMfMnarExperiment } from './experiments/relmf-mnar.js';
import { recsysPerfSuite } from './perf/recsys-suite.js';

registerExperiment(relMfMnarExperiment);
registerPerfSuite(recsysPerfSuite);

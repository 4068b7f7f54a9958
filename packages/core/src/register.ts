// Side-effect entry: `import '@unbiased/core/register'` registers core's built-in experiment and perf suite.
import { linearRegressionExperiment } from './experiments/linear-regression.js';
import { transformsPerfSuite } from './perf/transforms-suite.js';
import { registerExperiment, registerPerfSuite } from './registry/registry.js';

registerExperiment(linearRegressionExperiment);
registerPerfSuite(transformsPerfSuite);

// Side-effect entry: `import '@unbiased/core/register'` registers core's built-in experiment and perf suites
// (`transforms`, and `optimizers`, which measures every registered optimizer).
import { linearRegressionExperiment } from './experiments/linear-regression.js';
import { optimizersPerfSuite } from './perf/optimizers-suite.js';
import { transformsPerfSuite } from './perf/transforms-suite.js';
import { registerExperiment, registerPerfSuite } from './registry/registry.js';

registerExperiment(linearRegressionExperiment);
registerPerfSuite(transformsPerfSuite);
registerPerfSuite(optimizersPerfSuite);

// Side-effect entry: `import '@unbiased/tta-unmixtns/register'` registers the UnMix-TNS experiments and perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { unmixtnsMnistCExperiment } from './experiments/unmixtns-mnist-c.js';
import { unmixtnsNoniidExperiment } from './experiments/unmixtns-noniid.js';
import { ttaPerfSuite } from './perf/tta-suite.js';

registerExperiment(unmixtnsNoniidExperiment);
registerExperiment(unmixtnsMnistCExperiment);
registerPerfSuite(ttaPerfSuite);

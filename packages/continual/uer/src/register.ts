// Side-effect entry: `import '@unbiased/continual-uer/register'` registers the UER experiments and perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { uerOnlineCiExperiment } from './experiments/uer-online-ci.js';
import { uerSplitMnistExperiment } from './experiments/uer-split-mnist.js';
import { continualPerfSuite } from './perf/continual-suite.js';

registerExperiment(uerOnlineCiExperiment);
registerExperiment(uerSplitMnistExperiment);
registerPerfSuite(continualPerfSuite);

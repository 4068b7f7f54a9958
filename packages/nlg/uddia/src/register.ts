// Side-effect entry: `import '@unbiased/nlg-uddia/register'` registers the uddia-synthetic experiment and the nlg perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { uddiaSyntheticExperiment } from './experiments/uddia-synthetic.js';
import { nlgPerfSuite } from './perf/nlg-suite.js';

registerExperiment(uddiaSyntheticExperiment);
registerPerfSuite(nlgPerfSuite);

// Side-effect entry: `import '@unbiased/stats-thresholdout/register'` registers the experiment and the perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { adaptiveAttackExperiment } from './experiments/adaptive-attack.js';
import { thresholdoutPerfSuite } from './perf/thresholdout-suite.js';

registerExperiment(adaptiveAttackExperiment);
registerPerfSuite(thresholdoutPerfSuite);

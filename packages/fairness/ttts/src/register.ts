// Side-effect entry: `import '@unbiased/fair-ttts/register'` registers the experiments and the perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { adultExperiment } from './experiments/adult.js';
import { adultLikeExperiment } from './experiments/adult-like.js';
import { fairnessPerfSuite } from './perf/fairness-suite.js';

registerExperiment(adultLikeExperiment);
registerExperiment(adultExperiment);
registerPerfSuite(fairnessPerfSuite);

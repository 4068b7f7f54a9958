// Plug-in entry: registers the `distributed-majority-vote` experiment and the `scale-dist` perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { majorityVoteExperiment } from './experiments/majority-vote.js';
import { distSignPerfSuite } from './perf.js';

registerExperiment(majorityVoteExperiment);
registerPerfSuite(distSignPerfSuite);

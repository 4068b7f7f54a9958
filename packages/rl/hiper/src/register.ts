// Side-effect entry: `import '@unbiased/rl-hiper/register'` registers the experiments and the `rl` perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { gradientVarianceExperiment } from './experiments/gradient-variance.js';
import { learningCurvesExperiment } from './experiments/learning-curves.js';
import { textAgentExperiment } from './experiments/text-agent.js';
import { rlPerfSuite } from './perf/rl-suite.js';

registerExperiment(gradientVarianceExperiment);
registerExperiment(learningCurvesExperiment);
registerExperiment(textAgentExperiment);
registerPerfSuite(rlPerfSuite);

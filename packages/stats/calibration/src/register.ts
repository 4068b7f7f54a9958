// Side-effect entry: `import '@unbiased/stats-calibration/register'` registers the experiment and the perf suite.
import { registerExperiment, registerPerfSuite } from '@unbiased/core';
import { attenuationExperiment } from './experiments/attenuation.js';
import { kdeScorePerfSuite } from './perf/kde-score-suite.js';

registerExperiment(attenuationExperiment);
registerPerfSuite(kdeScorePerfSuite);

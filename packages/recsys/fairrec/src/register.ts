// Side-effect entry: `import '@unbiased/recsys-fairrec/register'` registers the package's experiment.
import { registerExperiment } from '@unbiased/core';
import { fairrecSyntheticNewsExperiment } from './experiments/synthetic-news.js';

registerExperiment(fairrecSyntheticNewsExperiment);

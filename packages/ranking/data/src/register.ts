// Side-effect entry: `import '@unbiased/ultr-data/register'` registers the `ultr-parse` perf suite.
import { registerPerfSuite } from '@unbiased/core';
import { ultrParsePerfSuite } from './perf.js';

registerPerfSuite(ultrParsePerfSuite);

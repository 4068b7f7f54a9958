// Side-effect entry: `import '@unbiased/ultr-duckdb/register'` registers the `scale` perf suite.
import { registerPerfSuite } from '@unbiased/core';
import { scalePerfSuite } from './perf.js';

registerPerfSuite(scalePerfSuite);

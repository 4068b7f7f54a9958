// Placeholder (owned by the perf engineer, who will overwrite this file).
import type { PerfSuite } from '@unbiased/core';

export const optimizersPerfSuite: PerfSuite = {
  id: 'optimizers',
  title: 'Optimizers (placeholder)',
  packageName: '@unbiased/optim-stosignsgd',
  cases: () => [],
};

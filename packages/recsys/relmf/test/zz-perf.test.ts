import { useBackend } from '@unbiased/core';
import { it } from 'vitest';
import { runPerfSuite } from '../../../../apps/bench/src/perf/harness.js';
import { recsysPerfSuite } from '../src/index.js';

it('perf', async () => {
  const backend = process.env.BK ?? 'cpu';
  await useBackend(backend);
  const result = await runPerfSuite(recsysPerfSuite, { backend, size: 0 }, { repeats: Number(process.env.REPEATS ?? 15), warmup: 5, onWarning: (w) => console.log('WARN', w) });
  for (const c of result.cases) {
    console.log(`PERF ${backend} | ${c.name} | median ${c.median_ms.toFixed(3)} ms | ${(c.n / (c.median_ms / 1000) / 1e6).toFixed(2)} M pairs/s | min ${c.min_ms.toFixed(3)} | ratio ${c.ratio_vs_baseline?.toFixed(2) ?? '-'} | throughput vs loop ${c.ratio_vs_baseline ? (1 / c.ratio_vs_baseline).toFixed(2) + 'x' : '-'}`);
  }
}, 600_000);

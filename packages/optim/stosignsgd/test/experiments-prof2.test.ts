import * as tf from '@tensorflow/tfjs-core';
import { quantizeE4M3, useBackend } from '@unbiased/core';
import { Session } from 'node:inspector/promises';
import { it } from 'vitest';
it('prof2', async () => {
  await useBackend('cpu');
  const h = tf.randomNormal([64, 64]);
  for (let i = 0; i < 30; i++) quantizeE4M3(h).dispose();
  const session = new Session(); session.connect();
  await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 }); await session.post('Profiler.start');
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) quantizeE4M3(h).dispose();
  console.log('PROF ms', (performance.now() - t0) / 200);
  const { profile } = await session.post('Profiler.stop') as any;
  const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const self = new Map<string, number>(); const incl = new Map<string, number>();
  const key = (n: any) => `${n.callFrame.functionName} ${n.callFrame.url.split('/').slice(-1)[0]}:${n.callFrame.lineNumber}`;
  let total = 0;
  for (const [id, c] of counts) { total += c; const n = byId.get(id); self.set(key(n), (self.get(key(n)) ?? 0) + c);
    const seen = new Set<string>(); let cur: number | undefined = id; while (cur !== undefined) { const k = key(byId.get(cur)); if (!seen.has(k)) { incl.set(k, (incl.get(k) ?? 0) + c); seen.add(k);} cur = parent.get(cur); } }
  console.log('PROF self\n' + [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20).map(([k, v]) => `${(100*v/total).toFixed(1)}% ${k}`).join('\n'));
  console.log('PROF incl\n' + [...incl.entries()].sort((a, b) => b[1] - a[1]).slice(0, 45).map(([k, v]) => `${(100*v/total).toFixed(1)}% ${k}`).join('\n'));
}, 300000);

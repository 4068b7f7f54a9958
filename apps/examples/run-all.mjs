#!/usr/bin/env node
// Runs every example on its small shipped input with plain Node (the packages' built dist, as a user would
// import them) and checks that it exits 0 and prints what it should. CI runs this after `npm run build`:
//   node apps/examples/run-all.mjs [name ...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Each example and a line its output must contain (a result, not just a banner). */
export const EXAMPLES = {
  'dla-click-log': /test nDCG@10: naive \d\.\d{4}, DLA \d\.\d{4}/,
  'relmf-ratings': /Rel-MF: held-out recall@10 \d\.\d{4}/,
  'calibration-ate': /with LCC: -?\d+\.\d{3}\s+with Tweedie: -?\d+\.\d{3}/,
  'stosignsgd-checkpoint': /matches the uninterrupted 10 epochs bit for bit: true/,
  'hae-trajectories': /turns in \d+ trajectories/,
  'fairttts-csv': /FairTTTS\s+\d\.\d{4}/,
  'uer-split-mnist': /UER\s+final average accuracy \d+\.\d%/,
  'uddia-generate': /UDDIA \(T = 2[^\n]*:\n(?:.*\n)*\s+-> ".*" \(perplexity \d/,
};

if (import.meta.url === `file://${process.argv[1]}`) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(EXAMPLES);
  let failed = 0;
  for (const name of names) {
    const pattern = EXAMPLES[name];
    if (pattern === undefined) throw new Error(`unknown example "${name}"; known: ${Object.keys(EXAMPLES).join(', ')}`);
    const start = performance.now();
    const run = spawnSync(process.execPath, [fileURLToPath(new URL(`./${name}/main.mjs`, import.meta.url))], { encoding: 'utf8', timeout: 600_000 });
    const seconds = ((performance.now() - start) / 1000).toFixed(1);
    const ok = run.status === 0 && pattern.test(run.stdout);
    if (!ok) failed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
    for (const line of run.stdout.trim().split('\n')) console.log(`     ${line}`);
    if (!ok) console.log(`     exit ${run.status}${run.signal ? ` (${run.signal})` : ''}; expected a line matching ${pattern}\n${run.stderr}`);
  }
  process.exit(failed === 0 ? 0 : 1);
}

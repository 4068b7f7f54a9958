#!/usr/bin/env node
// A small interleaving driver for the optimizer perf cases against the optax peer (a measuring tool, not a
// test): it times OUR cases (the perf suites' cases, looked up by id in the `optimizers` and `transforms`
// suites of the BUILT packages) in child processes, the optax peer (tooling/peers/optax_optimizers.py) in
// another, and optionally a second build of our packages ("before"), round after round, so that load changes
// hit every side alike; then prints the medians, the ratios ours / peer and the effective bandwidth.
//
//   node tooling/peers/interleave-optimizers.mjs --backend wasm --rounds 3 --repeats 7 \
//     --cases 'adamw, 1 variable,signum [impl=fused], 1 variable' [--before /tmp/before/pkgs] [--python python3] \
//     [--peer-threads all,1]
//
// --peer-threads: `all` (XLA's default: every core), `1` (one thread, pinned to one CPU: like for like with our
// single-threaded kernels), or both, comma-separated (default `all,1`): each is timed every round.
//
// Child mode (one round of ours): --child --root <packages dir> (prints { "cases": { id: { "ms": [...] } } }).
// Build the packages first (pnpm --filter '@unbiased/core' --filter '@unbiased/optim-*' build). Case ids contain
// ", ", so the list separator is a comma not followed by a space (as in the peer protocol).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const { values } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    root: { type: 'string', default: join(repo, 'packages') },
    before: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    cases: { type: 'string', default: 'adamw, 1 variable' },
    repeats: { type: 'string', default: '7' },
    rounds: { type: 'string', default: '3' },
    size: { type: 'string', default: String(4_194_304) },
    python: { type: 'string', default: 'python3' },
    'peer-threads': { type: 'string' },
    'no-peer': { type: 'boolean', default: false },
  },
});
const caseIds = values.cases.split(/,(?! )/).map((c) => c.trim()).filter(Boolean);
const size = Number(values.size);
const repeats = Number(values.repeats);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Where a package of `root` lives (core, or optim/<name>; the "before" snapshot keeps them flat). */
function packageDir(root, name) {
  for (const candidate of [join(root, name), join(root, 'optim', name)]) if (existsSync(join(candidate, 'package.json'))) return candidate;
  throw new Error(`no package ${name} under ${root}`);
}

/**
 * Minimum bytes moved per float32 parameter in one fused pass: Adam/AdamW read p, g, m, v and write p, m, v
 * (28); Signum, Lion read p, g, m and write p, m (20); StoSignSGD also reads and writes its envelope (28).
 */
function bytesPerParameter(id) {
  if (/adam|stosignsgd/i.test(id)) return 28;
  if (/signum|lion/.test(id)) return 20;
  return 0;
}

async function child() {
  const root = resolve(values.root);
  const coreDir = packageDir(root, 'core');
  const core = await import(pathToFileURL(join(coreDir, 'dist/index.js')).href);
  await import(pathToFileURL(join(coreDir, 'dist/register.js')).href);
  for (const name of ['adamw', 'lion', 'signsgd', 'stosignsgd']) {
    await import(pathToFileURL(join(packageDir(root, name), 'dist/register.js')).href);
  }
  const tf = await import(pathToFileURL(join(coreDir, 'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js')).href);
  await core.useBackend(values.backend);
  const cases = new Map();
  for (const id of ['optimizers', 'transforms']) {
    for (const c of core.getPerfSuite(id).cases({ size, backend: values.backend })) if (!cases.has(c.name)) cases.set(c.name, c);
  }
  const out = {};
  for (const id of caseIds) {
    const c = cases.get(id);
    if (!c) {
      out[id] = { error: 'no such case in this build' };
      continue;
    }
    const instance = await c.setup();
    for (let i = 0; i < 2; i++) {
      await instance.step();
      await instance.fence();
    }
    const before = tf.memory().numTensors;
    const ms = [];
    const cpuMs = [];
    for (let i = 0; i < repeats; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await instance.step();
      await instance.fence();
      ms.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpuMs.push((c.user + c.system) / 1000);
    }
    const leaked = tf.memory().numTensors - before;
    await instance.dispose();
    out[id] = { ms, cpu_ms: cpuMs, ...(leaked !== 0 ? { leakedTensors: leaked } : {}), bytesPerStep: bytesPerParameter(id) * size };
  }
  process.stdout.write(`${JSON.stringify({ cases: out })}\n`);
}

function run(command, args) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function orchestrate() {
  const sides = [['after', resolve(values.root)]];
  if (values.before) sides.push(['before', resolve(values.before)]);
  const samples = {};
  const cpuSamples = {};
  const add = (side, id, ms, cpu) => {
    samples[side] ??= {};
    samples[side][id] ??= [];
    samples[side][id].push(...ms);
    if (cpu) {
      cpuSamples[side] ??= {};
      cpuSamples[side][id] ??= [];
      cpuSamples[side][id].push(...cpu);
    }
  };
  const peerThreads = (values['peer-threads'] ?? 'all,1').split(',').map((t) => t.trim());
  for (const t of peerThreads) if (t !== 'all' && t !== '1') throw new Error(`--peer-threads takes all, 1 or all,1; got ${t}`);
  const peerNames = {};
  const bytes = {};
  const load = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    load.push(Number(spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ')[0]));
    for (const [side, root] of round % 2 === 0 ? sides : [...sides].reverse()) {
      const doc = run(process.execPath, [fileURLToPath(import.meta.url), '--child', '--root', root, '--backend', values.backend, '--cases', values.cases, '--repeats', values.repeats, '--size', values.size]);
      for (const [id, r] of Object.entries(doc.cases)) {
        if (r.ms) add(side, id, r.ms, r.cpu_ms);
        if (r.bytesPerStep) bytes[id] = r.bytesPerStep;
        if (r.leakedTensors) console.error(`[${side}] ${id}: numTensors grew by ${r.leakedTensors}`);
      }
    }
    if (!values['no-peer']) {
      const peerCases = caseIds.filter((id) => !id.startsWith('tf.train'));
      for (const threads of peerThreads) {
        const flag = threads === '1' ? ['--threads', '1'] : [];
        const doc = run(values.python, [join(here, 'optax_optimizers.py'), '--cases', peerCases.join(','), '--repeats', values.repeats, '--size', values.size, ...flag, '--json']);
        peerNames[threads] = doc.peer;
        for (const [id, r] of Object.entries(doc.cases)) add(`optax:${threads}`, id, r.ms, r.cpu_ms);
      }
    }
  }
  const rows = [];
  const f = (x, d = 2) => (x === undefined ? '-' : x.toFixed(d));
  const peerSides = values['no-peer'] ? [] : peerThreads;
  for (const id of caseIds) {
    const a = samples.after?.[id];
    const b = samples.before?.[id];
    const ma = a ? median(a) : undefined;
    const mb = b ? median(b) : undefined;
    const gb = (m) => (bytes[id] && m ? bytes[id] / (m * 1e-3) / 1e9 : undefined);
    const row = [id, f(ma), f(mb), f(ma && mb ? mb / ma : undefined), f(gb(ma), 1)];
    for (const t of peerSides) {
      const p = samples[`optax:${t}`]?.[id];
      const mp = p ? median(p) : undefined;
      row.push(f(mp), f(ma && mp ? ma / mp : undefined), f(gb(mp), 1));
    }
    rows.push(row);
  }
  const peerLabel = peerSides.map((t) => `[${t === '1' ? '1 thread' : 'all cores'}] ${peerNames[t] ?? '-'}`).join('; ');
  console.log(`backend ${values.backend}, size ${size}, ${values.rounds} rounds x ${repeats} samples; peers: ${peerLabel || 'none'}; load at each round: ${load.join(', ')}`);
  const header = ['case', 'after ms', 'before ms', 'before/after', 'after GB/s'];
  for (const t of peerSides) {
    const tag = t === '1' ? 'optax 1 thread' : 'optax all cores';
    header.push(`${tag} ms`, `after / ${tag}`, `${tag} GB/s`);
  }
  console.log(header.join(' | '));
  for (const r of rows) console.log(r.join(' | '));
  // CPU time per step (process CPU, all threads): under a loaded machine wall time is inflated by waiting for a
  // core, CPU time much less so; for ours and the pinned one-thread peer it is the single-core cost of a step.
  const cpuMedian = (side, id) => (cpuSamples[side]?.[id]?.length ? median(cpuSamples[side][id]) : undefined);
  const cpuHeader = ['case', 'after cpu ms', 'before cpu ms'];
  for (const t of peerSides) cpuHeader.push(`optax ${t === '1' ? '1 thread' : 'all cores'} cpu ms`, `after / it (cpu)`);
  console.log(`\nCPU time per step, medians:\n${cpuHeader.join(' | ')}`);
  for (const id of caseIds) {
    const a = cpuMedian('after', id);
    const row = [id, f(a), f(cpuMedian('before', id))];
    for (const t of peerSides) {
      const p = cpuMedian(`optax:${t}`, id);
      row.push(f(p), f(a && p ? a / p : undefined));
    }
    console.log(row.join(' | '));
  }
}

if (values.child) await child();
else orchestrate();

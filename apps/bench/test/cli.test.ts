import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Experiment, registerExperiment, registerPerfSuite, useBackend } from '@unbiased/core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli.js';
import { bufferIo, fakeClock } from './helpers.js';

const paper = { title: 'A Paper About Fakes', year: 2024, claim: 'fakes converge' };

const holds: Experiment = {
  id: 'bench-test-holds',
  title: 'A claim that holds',
  packageName: '@unbiased/bench',
  paper: { ...paper, url: 'https://example.org/fakes' },
  async run(ctx) {
    for (let step = 0; step <= 20; step++) ctx.progress(step / 20, `step ${step}`);
    console.log('an experiment that logs to the console must not break --json');
    const x = [0, 1, 2, 3, 4];
    return {
      metrics: { final_loss: 0.01 * (ctx.seed + 1), steps: 5, seed_echo: ctx.seed },
      claim: { text: 'final loss below 0.1', holds: true },
      table: { columns: ['method', 'loss'], rows: [['ours', 0.01], ['baseline | naive', 0.5]] },
      plots: [
        {
          id: 'loss',
          title: 'Training loss',
          xLabel: 'step',
          yLabel: 'loss',
          logY: true,
          series: [
            { name: 'ours', x, y: [1, 0.3, 0.1, 0.03, 0.01] },
            { name: 'baseline', x, y: [1, 0.8, 0.6, 0, Number.NaN] },
          ],
        },
      ],
    };
  },
};

const fails: Experiment = {
  id: 'bench-test-fails-claim',
  title: 'A claim that does not hold',
  packageName: '@unbiased/bench',
  paper,
  async run(ctx) {
    return { metrics: { gap: -1 }, claim: { text: `gap > 0 at scale ${ctx.scale}`, holds: false } };
  },
};

const partial: Experiment = {
  id: 'bench-test-partial',
  title: 'A claim that holds in part',
  packageName: '@unbiased/bench',
  paper,
  async run() {
    return { metrics: { gap: 1 }, claim: { text: 'gap > 0 in every cell', holds: true, status: 'partial', failing: ['cell b'] } };
  },
};

const fullSeeds: Experiment = {
  id: 'bench-test-full-seeds',
  title: 'An experiment with default seeds at full scale',
  packageName: '@unbiased/bench',
  paper,
  fullSeeds: [3, 5, 8],
  async run(ctx) {
    return { metrics: { seed_echo: ctx.seed }, claim: { text: 'echo', holds: true } };
  },
};

const BANNER = 'Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node backend';

const warns: Experiment = {
  id: 'bench-test-warns',
  title: 'An experiment during which tfjs prints its Node banner',
  packageName: '@unbiased/bench',
  paper,
  async run() {
    console.warn(`\n============================\n${BANNER}, visit https://github.com/tensorflow/tfjs-node for more details.\n============================`);
    console.warn('a warning that matters');
    return { metrics: {}, claim: { text: 'warned', holds: true } };
  },
};

const throws: Experiment = {
  id: 'bench-test-throws',
  title: 'An experiment that throws',
  packageName: '@unbiased/bench',
  paper,
  async run() {
    throw new Error('synthetic failure');
  },
};

/** The perf tests time fake steps on a fake clock (1 ms and 2 ms exactly); no test asserts a real time. */
let clock: ReturnType<typeof fakeClock> | undefined;

afterEach(() => {
  clock = undefined;
  vi.restoreAllMocks();
});

beforeAll(async () => {
  await useBackend('cpu');
  for (const experiment of [holds, fails, throws, warns, partial, fullSeeds]) registerExperiment(experiment);
  registerPerfSuite({
    id: 'bench-test-cli-sleep',
    title: 'busy waits',
    packageName: '@unbiased/bench',
    cases: ({ size }) => [
      { name: 'fast', n: size, baseline: null, setup: async () => ({ step: () => clock?.advance(1), fence: async () => undefined, dispose: () => undefined }) },
      {
        name: 'slow',
        n: size,
        baseline: 'fast',
        bytesPerStep: 8 * size,
        setup: async () => ({ step: () => clock?.advance(2), fence: async () => undefined, dispose: () => undefined }),
      },
    ],
  });
}, 60_000);

async function run(argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const RUN_KEYS = ['backend', 'claim', 'id', 'metrics', 'scale', 'seconds', 'seed'];

describe('unbiased backends', () => {
  it('--json prints { backends: [{ name, available, detail }] } with cpu available', async () => {
    const { code, out } = await run(['backends', '--json']);
    expect(code).toBe(0);
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(['backends']);
    expect(document.backends.map((backend: { name: string }) => backend.name)).toEqual(['cpu', 'wasm', 'webgpu']);
    for (const backend of document.backends) {
      expect(Object.keys(backend).sort()).toEqual(['available', 'detail', 'name']);
      expect(typeof backend.available).toBe('boolean');
      expect(typeof backend.detail).toBe('string');
    }
    expect(document.backends[0]).toMatchObject({ name: 'cpu', available: true });
  });
});

describe('unbiased list', () => {
  it('--json lists the registered experiments with their paper and the perf suites', async () => {
    const { code, out } = await run(['list', '--json']);
    expect(code).toBe(0);
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(['experiments', 'optimizers', 'perf_suites']);
    expect(document.experiments).toContainEqual({
      id: 'bench-test-fails-claim',
      title: 'A claim that does not hold',
      package: '@unbiased/bench',
      paper,
    });
    expect(document.perf_suites).toContainEqual({ id: 'bench-test-cli-sleep', title: 'busy waits', package: '@unbiased/bench' });
  });

  it('prints a readable listing without --json', async () => {
    const { code, out } = await run(['list']);
    expect(code).toBe(0);
    expect(out).toContain('bench-test-holds');
    expect(out).toContain('claim: fakes converge');
  });
});

describe('unbiased reproduce', () => {
  it('--json prints only the runs document; a claim that does not hold is reported and exits 4', async () => {
    const { code, out, err } = await run(['reproduce', 'bench-test-holds', 'bench-test-fails-claim', '--json', '--seed', '7', '--scale', 'smoke']);
    expect(code).toBe(4);
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(['runs']);
    expect(document.runs).toHaveLength(2);
    for (const record of document.runs) expect(Object.keys(record).sort()).toEqual(RUN_KEYS);
    const [first, second] = document.runs;
    expect(first).toMatchObject({
      id: 'bench-test-holds',
      backend: 'cpu',
      seed: 7,
      scale: 'smoke',
      metrics: { final_loss: 0.08, steps: 5, seed_echo: 7 },
      claim: { text: 'final loss below 0.1', holds: true },
    });
    expect(Number.isFinite(first.seconds)).toBe(true);
    expect(second).toMatchObject({ id: 'bench-test-fails-claim', claim: { text: 'gap > 0 at scale smoke', holds: false } });
    // Progress goes to stderr as plain lines (not a TTY), at most one per 10%.
    const lines = err.split('\n').filter((line) => line.startsWith('[reproduce] bench-test-holds '));
    expect(lines).toContain('[reproduce] bench-test-holds 50% step 10');
    expect(lines.filter((line) => /\d+%/.test(line))).toHaveLength(11);
    expect(err).toContain('an experiment that logs to the console');
  });

  it('exit code: 0 when every claim holds, 3 when one holds in part, 4 when one fails; --report-only exits 0', async () => {
    expect((await run(['reproduce', 'bench-test-holds'])).code).toBe(0);
    expect((await run(['reproduce', 'bench-test-holds', 'bench-test-partial'])).code).toBe(3);
    expect((await run(['reproduce', 'bench-test-partial', 'bench-test-fails-claim'])).code).toBe(4);
    expect((await run(['reproduce', 'bench-test-partial', 'bench-test-fails-claim', '--report-only'])).code).toBe(0);
    // An error outranks the claims, with or without --report-only.
    expect((await run(['reproduce', 'bench-test-fails-claim', 'bench-test-throws'])).code).toBe(1);
    expect((await run(['reproduce', 'bench-test-throws', '--report-only'])).code).toBe(1);
  });

  it('--scale full without --seed/--seeds runs an experiment on its fullSeeds; a named seed wins; smoke ignores them', async () => {
    const seedsOf = async (argv: string[]) => JSON.parse((await run(['reproduce', 'bench-test-full-seeds', '--json', ...argv])).out).runs.map((r: { seed: number }) => r.seed);
    expect(await seedsOf(['--scale', 'full'])).toEqual([3, 5, 8]);
    expect(await seedsOf(['--scale', 'full', '--seed', '2'])).toEqual([2]);
    expect(await seedsOf(['--scale', 'full', '--seeds', '0-1'])).toEqual([0, 1]);
    expect(await seedsOf(['--scale', 'smoke'])).toEqual([0]);
    // Other experiments in the same run keep the default seed.
    const runs = JSON.parse((await run(['reproduce', 'bench-test-holds', 'bench-test-full-seeds', '--json', '--scale', 'full'])).out).runs;
    expect(runs.map((r: { id: string; seed: number }) => `${r.id}:${r.seed}`)).toEqual(['bench-test-holds:0', 'bench-test-full-seeds:3', 'bench-test-full-seeds:5', 'bench-test-full-seeds:8']);
  });

  it('reports an experiment that throws, runs the others, and exits 1', async () => {
    const { code, out, err } = await run(['reproduce', 'bench-test-throws', 'bench-test-holds', '--json']);
    expect(code).toBe(1);
    const { runs } = JSON.parse(out);
    expect(runs.map((record: { id: string }) => record.id)).toEqual(['bench-test-throws', 'bench-test-holds']);
    expect(Object.keys(runs[0]).sort()).toEqual([...RUN_KEYS, 'error'].sort());
    expect(runs[0]).toMatchObject({ error: 'synthetic failure', metrics: {}, claim: { text: paper.claim, holds: false } });
    expect(runs[1]).toMatchObject({ claim: { holds: true } });
    expect(runs[1]).not.toHaveProperty('error');
    expect(err).toContain('synthetic failure');
  });

  it('prints a table with ✓ / ✗ without --json', async () => {
    const { code, out } = await run(['reproduce', 'bench-test-holds', 'bench-test-fails-claim', 'bench-test-throws']);
    expect(code).toBe(1);
    expect(out).toMatch(/bench-test-holds\s+cpu\s+0\s+\d+\.\d\d\s+✓ holds\s+final_loss=0\.01/);
    expect(out).toMatch(/bench-test-fails-claim\s+cpu\s+0\s+\d+\.\d\d\s+✗ fails\s+gap=-1/);
    expect(out).toMatch(/bench-test-throws\s+cpu\s+0\s+\d+\.\d\d\s+error\s+synthetic failure/);
  });

  it('--seeds runs every seed and reports mean ± sd (n), the 95% t-interval and per-seed values', async () => {
    const directory = join(await mkdtemp(join(tmpdir(), 'unbiased-seeds-')), 'reports');
    const { code, out } = await run(['reproduce', 'bench-test-holds', 'bench-test-fails-claim', '--seeds', '0-2', '--out', directory]);
    expect(code).toBe(4);
    // final_loss = 0.01 (seed + 1): 0.01, 0.02, 0.03 -> mean 0.02, sd 0.01.
    expect(out).toMatch(/bench-test-holds\s+cpu\s+3\s+\d+\.\d\d\s+✓ holds\s+final_loss=0\.02 ± 0\.01 \(3\)/);
    expect(out).toMatch(/bench-test-fails-claim\s+cpu\s+3\s+\d+\.\d\d\s+✗ fails/);
    const report = JSON.parse(await readFile(join(directory, 'report.json'), 'utf8'));
    expect(report.runs.map((record: { id: string; seed: number }) => `${record.id}:${record.seed}`)).toEqual([
      'bench-test-holds:0',
      'bench-test-holds:1',
      'bench-test-holds:2',
      'bench-test-fails-claim:0',
      'bench-test-fails-claim:1',
      'bench-test-fails-claim:2',
    ]);
    const [holdsSummary, failsSummary] = report.summaries;
    expect(holdsSummary).toMatchObject({ id: 'bench-test-holds', seeds: [0, 1, 2], status: 'holds', held_on: 3, judged: 3 });
    expect(failsSummary).toMatchObject({ status: 'fails', held_on: 0, judged: 3 });
    const finalLoss = holdsSummary.metrics.final_loss;
    // Reference: t_{0.975, 2} = 4.303 (tables); half width 4.303 * 0.01 / sqrt(3).
    const half = (4.303 * 0.01) / Math.sqrt(3);
    expect(finalLoss.values).toEqual([0.01, 0.02, 0.03]);
    expect(finalLoss.n).toBe(3);
    expect(finalLoss.mean).toBeCloseTo(0.02, 12);
    expect(finalLoss.sd).toBeCloseTo(0.01, 12);
    expect(finalLoss.lower).toBeCloseTo(0.02 - half, 10);
    expect(finalLoss.upper).toBeCloseTo(0.02 + half, 10);
    // Curves over seeds become bands; a baseline that goes non-finite keeps its divergence.
    expect(holdsSummary.plots[0]).toMatchObject({ id: 'loss', kind: 'band' });
    const markdown = await readFile(join(directory, 'report.md'), 'utf8');
    expect(markdown).toContain('| final_loss | 0.02 ± 0.01 (3) |');
    expect(markdown).toContain('Seeds 0, 1, 2 (n = 3)');
    expect(markdown).toContain('`unbiased reproduce bench-test-holds --backend cpu --seeds 0-2 --scale smoke`');
    expect(markdown).toContain('| bench-test-fails-claim | cpu | 0-2 | smoke |');
    const html = await readFile(join(directory, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('class="status-fails"');
    expect(html).not.toMatch(/<script|https?:\/\/(?!example\.org|www\.w3\.org)/);
  });

  it('--out writes report.json, report.md and an SVG per plot, keeping files the report did not write', async () => {
    const directory = join(await mkdtemp(join(tmpdir(), 'unbiased-report-')), 'reports');
    const first = await run(['reproduce', 'bench-test-holds', '--out', directory]);
    expect(first.code).toBe(0);
    await writeFile(join(directory, 'notes.txt'), 'mine');
    const { code } = await run(['reproduce', 'bench-test-holds', 'bench-test-fails-claim', '--out', directory, '--json']);
    expect(code).toBe(4); // bench-test-fails-claim's claim fails
    expect((await readdir(directory)).sort()).toEqual(['bench-test-holds-loss.svg', 'notes.txt', 'report.html', 'report.json', 'report.md']);
    expect(await readFile(join(directory, 'notes.txt'), 'utf8')).toBe('mine');

    const svg = await readFile(join(directory, 'bench-test-holds-loss.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Training loss');
    expect(svg).toContain('</svg>');

    const report = JSON.parse(await readFile(join(directory, 'report.json'), 'utf8'));
    expect(report.runs).toHaveLength(2);
    expect(report.runs[0]).toMatchObject({
      id: 'bench-test-holds',
      title: 'A claim that holds',
      package: '@unbiased/bench',
      paper: { title: paper.title, year: 2024 },
      table: { columns: ['method', 'loss'] },
      plot_files: ['bench-test-holds-loss.svg'],
    });
    expect(report.summaries[0].plots[0].id).toBe('loss');

    const markdown = await readFile(join(directory, 'report.md'), 'utf8');
    expect(markdown).toContain('## A claim that holds (`bench-test-holds`, cpu)');
    expect(markdown).toContain('[A Paper About Fakes](https://example.org/fakes) (2024)');
    expect(markdown).toContain('**✓ holds**');
    expect(markdown).toContain('**✗ fails**');
    expect(markdown).toContain('| final_loss | 0.01 |');
    expect(markdown).toContain('| baseline \\| naive | 0.5 |');
    expect(markdown).toContain('![Training loss](bench-test-holds-loss.svg)');
  });
});

describe('unbiased reproduce: output paths and warnings', () => {
  it('--out that is a file, or whose parent is missing, is refused before anything runs: one line, exit 2', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-out-'));
    await writeFile(join(parent, 'file'), 'x');
    for (const [out, reason] of [
      [join(parent, 'file'), 'exists and is not a directory'],
      [join(parent, 'missing', 'reports'), 'does not exist'],
    ] as const) {
      const { code, out: stdout, err } = await run(['reproduce', 'bench-test-holds', '--out', out]);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(err).not.toContain('[reproduce]');
      expect(err.trimEnd().split('\n')).toHaveLength(1);
      expect(err).toMatch(new RegExp(`^unbiased: --out ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*${reason}`));
    }
    expect(await readdir(parent)).toEqual(['file']);
  });

  it('--json FILE writes the document to FILE (nothing on stdout); a missing folder is refused with exit 2', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'unbiased-json-'));
    const file = join(directory, 'runs.json');
    const { code, out, err } = await run(['reproduce', 'bench-test-holds', '--json', file]);
    expect(code).toBe(0);
    expect(out).toBe('');
    expect(err).toContain(`JSON: ${file}`);
    expect(JSON.parse(await readFile(file, 'utf8')).runs[0]).toMatchObject({ id: 'bench-test-holds', claim: { holds: true } });
    expect(await readdir(directory)).toEqual(['runs.json']);
    const missing = await run(['list', `--json=${join(directory, 'no', 'list.json')}`]);
    expect([missing.code, missing.out]).toEqual([2, '']);
    expect(missing.err).toMatch(/^unbiased: --json .*does not exist\n$/);
  });

  it("leaves out tfjs's node-backend banner unless --verbose, and keeps other warnings", async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect((await run(['reproduce', 'bench-test-warns'])).code).toBe(0);
    expect(warn.mock.calls.map((call) => String(call[0]))).toEqual(['a warning that matters']);
    warn.mockClear();
    expect((await run(['reproduce', 'bench-test-warns', '--verbose'])).code).toBe(0);
    expect(warn.mock.calls.map((call) => String(call[0]).includes(BANNER))).toEqual([true, false]);
    expect(console.warn).toBe(warn);
  });
});

describe('unbiased perf', () => {
  it('--json prints the suites document with interleaved timings and ratios', async () => {
    clock = fakeClock();
    const { code, out } = await run(['perf', 'bench-test-cli-sleep', '--json', '--repeats', '5', '--size', '1000']);
    expect(code).toBe(0);
    const document = JSON.parse(out);
    expect(Object.keys(document)).toEqual(['suites']);
    const [suite] = document.suites;
    expect(Object.keys(suite)).toEqual(['suite', 'backend', 'cases']);
    expect(suite).toMatchObject({ suite: 'bench-test-cli-sleep', backend: 'cpu' });
    const [fast, slow] = suite.cases;
    expect(Object.keys(fast)).toEqual(['name', 'n', 'median_ms', 'min_ms', 'max_ms', 'baseline', 'ratio_vs_baseline']);
    expect(Object.keys(slow)).toEqual(['name', 'n', 'median_ms', 'min_ms', 'max_ms', 'baseline', 'ratio_vs_baseline', 'gbps']);
    expect(fast).toEqual({ name: 'fast', n: 1000, median_ms: 1, min_ms: 1, max_ms: 1, baseline: null, ratio_vs_baseline: null });
    // 8 bytes x 1000 per 2 ms step = 4e6 bytes/s = 0.004 GB/s.
    expect(slow).toEqual({ name: 'slow', n: 1000, median_ms: 2, min_ms: 2, max_ms: 2, baseline: 'fast', ratio_vs_baseline: 2, gbps: 0.004 });
  });

  it('--out writes report.json and report.md with the table', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'unbiased-perf-'));
    clock = fakeClock();
    const { code, out } = await run(['perf', 'bench-test-cli-sleep', '--out', directory]);
    expect(code).toBe(0);
    expect(out).toMatch(/slow\s+\d+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+fast\s+2\.00x/);
    expect((await readdir(directory)).sort()).toEqual(['report.json', 'report.md']);
    const markdown = await readFile(join(directory, 'report.md'), 'utf8');
    expect(markdown).toContain('## bench-test-cli-sleep on cpu');
    expect(markdown).toContain('| case | n | median ms |');
  });
});

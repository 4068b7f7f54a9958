// report.html opens in headless Chromium with no network and no console errors. Needs Debian's `chromium`
// package (.ci/run installs it); outside CI a machine without it skips this test with a message.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Experiment, ExperimentResult } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import type { RunOutcome } from '../src/commands/reproduce.js';
import { PLOT_WIDTH } from '../src/report/plot.js';
import { prepareReportDirectory } from '../src/report/report-set.js';
import { writeReproduceReport } from '../src/report/reproduce-report.js';

const CHROMIUM = process.env.UNBIASED_CHROMIUM ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
if (!available && process.env.CI !== 'true') {
  console.warn(`report-html.test: skipped, no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set UNBIASED_CHROMIUM)`);
}

const experiment: Experiment = {
  id: 'html-test',
  title: 'A fake experiment for the HTML report',
  packageName: '@unbiased/bench',
  paper: { title: 'Fakes <in> HTML', year: 2025, claim: 'fakes hold', url: 'https://example.org/paper' },
  async run(): Promise<ExperimentResult> {
    throw new Error('not run: outcomes are built by the test');
  },
};

function outcome(seed: number, loss: number): RunOutcome {
  const result: ExperimentResult = {
    metrics: { final_loss: loss },
    claim: { text: 'loss < 1', holds: true, status: seed === 1 ? 'partial' : 'holds', failing: seed === 1 ? ['cell B'] : [] },
    table: { columns: ['method', 'loss'], rows: [['ours', loss]] },
    plots: [
      { id: 'curve', title: 'Loss', xLabel: 'step', yLabel: 'loss', series: [{ name: 'ours', x: [0, 1, 2], y: [1, 0.5, loss] }, { name: 'baseline', role: 'baseline', x: [0, 1, 2], y: [1, 2, Number.NaN] }] },
      { id: 'bars', title: 'Per method', xLabel: 'method', yLabel: 'loss', kind: 'point', categories: ['ours', 'theirs'], series: [{ name: 'loss', x: [0, 1], y: [loss, 0.9] }] },
    ],
  };
  return {
    experiment,
    result,
    record: { id: experiment.id, backend: 'cpu', seed, scale: 'smoke', metrics: result.metrics, claim: { ...result.claim, holds: true, status: result.claim.status! }, seconds: 0.1 },
  };
}

describe.skipIf(!available && process.env.CI !== 'true')('report.html', () => {
  it('opens in headless Chromium with no network and no console errors; plots inline, same width, with tooltips', async () => {
    expect(existsSync(CHROMIUM), `CI needs Chromium at ${CHROMIUM}`).toBe(true);
    const target = await prepareReportDirectory(join(await mkdtemp(join(tmpdir(), 'unbiased-html-')), 'reports'));
    await writeReproduceReport(target, [outcome(0, 0.1), outcome(1, 0.2), outcome(2, 0.3)]);
    const path = join(target.path, 'report.html');
    const html = await readFile(path, 'utf8');
    expect(html).toContain('◐ partial (2/3 seeds)');
    expect(html).toContain('unbiased reproduce html-test --backend cpu --seeds 0-2 --scale smoke');

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('request', (request) => {
        if (!request.url().startsWith('file:') && !request.url().startsWith('data:')) requests.push(request.url());
      });
      await page.goto(pathToFileURL(path).href, { waitUntil: 'load' });
      const svgs = await page.$$eval('figure > svg', (elements) => elements.map((element) => element.getBoundingClientRect().width));
      expect(svgs).toEqual([PLOT_WIDTH, PLOT_WIDTH]);
      const tooltips = await page.$$eval('figure svg title', (elements) => elements.map((element) => element.textContent ?? ''));
      expect(tooltips.some((text) => /step: 2; loss: 0\.2/.test(text))).toBe(true);
      expect(await page.textContent('h1')).toBe('unbiased reproduce report');
      expect(requests).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

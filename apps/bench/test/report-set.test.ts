import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  prepareReportDirectory,
  ReportDirectoryError,
  ReportInterruptedError,
  type ReportStep,
  type ReportTarget,
  writeReportSet,
} from '../src/report/report-set.js';
import { snapshot } from './helpers.js';

const previousReport = {
  'report.json': `${JSON.stringify({ runs: [{ id: 'old', plot_files: ['old-plot.svg'] }] })}\n`,
  'report.md': '# old report\n',
  'old-plot.svg': '<svg>old</svg>',
};
const newFiles = [
  { name: 'new-plot.svg', data: '<svg>new</svg>' },
  { name: 'report.json', data: `${JSON.stringify({ runs: [{ id: 'new', plot_files: ['new-plot.svg'] }] })}\n` },
  { name: 'report.md', data: '# new report\n' },
];
const userFiles = { 'notes.txt': 'mine', 'perf/report.json': '{"suites":[]}\n' };
const previousDirectory = { ...previousReport, ...userFiles };
const newDirectory = { 'new-plot.svg': '<svg>new</svg>', 'report.json': newFiles[1]!.data, 'report.md': '# new report\n', ...userFiles };

async function setUp(): Promise<{ parent: string; out: string }> {
  const parent = await mkdtemp(join(tmpdir(), 'unbiased-set-'));
  const out = join(parent, 'reports');
  await mkdir(join(out, 'perf'), { recursive: true });
  for (const [name, content] of Object.entries(previousDirectory)) await writeFile(join(out, name), content);
  return { parent, out };
}

const STEPS: ReportStep[] = ['staging-written', 'ready', 'previous-moved-aside', 'swapped', 'done'];

describe('writeReportSet', () => {
  it('replaces the report as a whole: old plots go, files the report did not write stay, nothing is left beside it', async () => {
    const { parent, out } = await setUp();
    const target = await prepareReportDirectory(out);
    await writeReportSet(target, newFiles);
    expect(await snapshot(out)).toEqual(newDirectory);
    expect(await readdir(parent)).toEqual(['reports']);
  });

  it('creates a missing report directory', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-set-'));
    const target = await prepareReportDirectory(join(parent, 'fresh'));
    await writeReportSet(target, newFiles);
    expect(Object.keys(await snapshot(join(parent, 'fresh'))).sort()).toEqual(['new-plot.svg', 'report.json', 'report.md']);
    expect(await readdir(parent)).toEqual(['fresh']);
  });

  // A kill at each step is simulated by a step hook that never returns: the files stay as a killed process
  // leaves them. Then the next run's preparation must repair or clean up, leaving a whole report.
  for (const [index, step] of STEPS.entries()) {
    it(`a run killed at "${step}" leaves the previous report (or, once swapped, the new one) whole, and the next run cleans up`, async () => {
      const { parent, out } = await setUp();
      const target = await prepareReportDirectory(out);
      let reached = false;
      void writeReportSet(target, newFiles, {
        onStep: (current) =>
          current === step
            ? new Promise(() => {
                reached = true;
              })
            : undefined,
      });
      await expect.poll(() => reached, { interval: 5 }).toBe(true);
      const swapped = index >= STEPS.indexOf('swapped');
      // Frozen "killed" state: between moving the previous report aside and the swap, DIR is briefly absent.
      if (step === 'previous-moved-aside') expect(await readdir(parent)).not.toContain('reports');
      else expect(await snapshot(out)).toEqual(swapped ? newDirectory : previousDirectory);
      // The killed run's pid is this process's; pretend it died by renaming its folders to a dead pid.
      await pretendDead(parent);
      await prepareReportDirectory(out);
      // A kill after the new report was complete (ready) finishes the swap; earlier, the previous report stays.
      const completed = index >= STEPS.indexOf('previous-moved-aside');
      expect(await snapshot(out)).toEqual(completed ? newDirectory : previousDirectory);
      expect(await readdir(parent)).toEqual(['reports']);
    });
  }

  it('an aborted signal before the swap throws ReportInterruptedError and changes nothing', async () => {
    const { parent, out } = await setUp();
    const target = await prepareReportDirectory(out);
    const controller = new AbortController();
    const writing = writeReportSet(target, newFiles, {
      onStep: (step) => {
        if (step === 'staging-written') controller.abort();
      },
      signal: controller.signal,
    });
    await expect(writing).rejects.toBeInstanceOf(ReportInterruptedError);
    expect(await snapshot(out)).toEqual(previousDirectory);
    expect(await readdir(parent)).toEqual(['reports']);
  });

  it('leaves folders of a run that is still alive alone', async () => {
    const { parent, out } = await setUp();
    const alive = join(parent, `.reports.unbiased-staging-${process.pid}-abcdef`);
    await mkdir(alive);
    await prepareReportDirectory(out);
    expect((await readdir(parent)).sort()).toEqual([`.reports.unbiased-staging-${process.pid}-abcdef`, 'reports']);
    await rm(alive, { recursive: true });
  });
});

/** Renames this process's temporary folders as if they belonged to a process that no longer exists. */
async function pretendDead(parent: string): Promise<void> {
  const { rename } = await import('node:fs/promises');
  for (const entry of await readdir(parent)) {
    const renamed = entry.replace(`-${process.pid}-`, '-2147483646-');
    if (renamed !== entry) await rename(join(parent, entry), join(parent, renamed));
  }
}

describe('prepareReportDirectory', () => {
  it('rejects, with one line, a DIR that is a file, a missing parent and a parent that is a file', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-out-'));
    await writeFile(join(parent, 'file'), 'x');
    const message = async (out: string) => {
      try {
        await prepareReportDirectory(out);
      } catch (error) {
        expect(error).toBeInstanceOf(ReportDirectoryError);
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(await message(join(parent, 'file'))).toMatch(/exists and is not a directory/);
    expect(await message(join(parent, 'missing', 'reports'))).toMatch(/does not exist/);
    expect(await message(join(parent, 'file', 'reports'))).toMatch(/not a directory/);
    expect(await message('/')).toMatch(/root/);
    // A folder of the user's (files, no report.json) and the current folder are never taken over.
    await mkdir(join(parent, 'mine'));
    await writeFile(join(parent, 'mine', 'thesis.tex'), 'x');
    expect(await message(join(parent, 'mine'))).toMatch(/holds files but no report.json/);
    expect(await message(process.cwd())).toMatch(/is the current folder or contains it/);
    expect(await message(dirname(process.cwd()))).toMatch(/is the current folder or contains it/);
    for (const out of ['file', 'missing/reports', 'file/reports', 'mine']) expect(await message(join(parent, out))).not.toContain('\n');
  });

  it('rejects a read-only parent (when permissions apply to this user)', async (context) => {
    if (process.getuid?.() === 0) context.skip();
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-ro-'));
    await chmod(parent, 0o555);
    try {
      await expect(prepareReportDirectory(join(parent, 'reports'))).rejects.toThrow(/cannot write in/);
    } finally {
      await chmod(parent, 0o755);
    }
  });

  it('accepts a folder that holds only nested reports (perf/report.json)', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-out-'));
    await mkdir(join(parent, 'reports', 'perf'), { recursive: true });
    await writeFile(join(parent, 'reports', 'perf', 'report.json'), '{}');
    await expect(prepareReportDirectory(join(parent, 'reports'))).resolves.toMatchObject({ name: 'reports' });
  });

  it('returns the resolved target', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'unbiased-out-'));
    const target: ReportTarget = await prepareReportDirectory(join(parent, 'a', '..', 'reports'));
    expect(target).toEqual({ path: join(parent, 'reports'), parent, name: 'reports' });
  });
});

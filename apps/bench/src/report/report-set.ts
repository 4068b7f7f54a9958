import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, copyFile, link, lstat, mkdir, open, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';

/**
 * A report directory (`--out DIR`) is replaced as a whole: the files of a run are written into a fresh folder
 * next to DIR, and that folder takes DIR's place only once it is complete. Readers of DIR see the previous
 * report or the new one, never a mix; a run killed at any moment leaves nothing inside DIR.
 *
 * Folders next to DIR, named `.<DIR name>.unbiased-<state>-<pid>-<random>`:
 *   staging  being written; never read, removed by the next run
 *   ready    complete, renamed from staging (one atomic rename marks completion)
 *   old      the previous DIR, moved aside during the swap
 * The swap is: staging -> ready, DIR -> old, ready -> DIR, remove old. A run killed between two of these steps
 * is repaired by the next run (see {@link prepareReportDirectory}): a `ready` folder with no DIR becomes DIR
 * (the killed run had finished writing), a `ready` folder beside an existing DIR is discarded, an `old`
 * folder is removed once DIR exists (or restored as DIR if nothing else is left).
 *
 * Files in DIR that the previous report did not write (notes, a nested `perf/` report) are carried over
 * into the new folder as hard links (copies where links are not possible) before the swap.
 */

/** `--out` cannot be used; the CLI prints the message as one line and exits 2. */
export class ReportDirectoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportDirectoryError';
  }
}

/** A validated `--out` directory: `path` (resolved, symlinks followed) in `parent`, which exists and is writable. */
export interface ReportTarget {
  path: string;
  parent: string;
  name: string;
}

/** One file of a report, relative to the report directory (no subfolders). */
export interface ReportFile {
  name: string;
  data: string | Uint8Array;
}

/** The states {@link writeReportSet} goes through, in order; tests stop there to stand for a kill. */
export type ReportStep = 'staging-written' | 'ready' | 'previous-moved-aside' | 'swapped' | 'done';

export interface WriteReportOptions {
  /** Checked until the swap starts: when aborted, the staging folder is removed and nothing changes in DIR. */
  signal?: AbortSignal;
  /** Called when each step is reached; for tests (a promise that never settles stands for a kill at that point). */
  onStep?: (step: ReportStep) => unknown;
}

/**
 * For the tests that kill a real CLI process between two steps: when set, called when each step of every
 * {@link writeReportSet} (after `options.onStep`). Never set by the CLI itself.
 */
export const reportSetTestHooks: { onStep?: (step: ReportStep) => unknown } = {};

/** The report was not written because the run was interrupted; DIR is unchanged. */
export class ReportInterruptedError extends Error {
  constructor() {
    super('interrupted before the report was complete; nothing was written');
    this.name = 'ReportInterruptedError';
  }
}

const STATES = ['staging', 'ready', 'old'] as const;
type TemporaryState = (typeof STATES)[number];

function temporaryName(name: string, state: TemporaryState, id: string): string {
  return `.${name}.unbiased-${state}-${id}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    ENAMETOOLONG: 'name too long',
    ENOTDIR: 'a component of the path is not a directory',
    ELOOP: 'too many symbolic links',
  };
  return (code && known[code]) ?? (error instanceof Error ? error.message : String(error));
}

/**
 * Repairs or removes what runs killed earlier left next to the report directory (see the module comment).
 * Folders of a run still alive (another `unbiased` process writing the same DIR) are left alone.
 */
export async function recoverReportDirectory(target: ReportTarget): Promise<void> {
  const pattern = new RegExp(`^\\.${escapeRegExp(target.name)}\\.unbiased-(${STATES.join('|')})-((\\d+)-[0-9a-f]+)$`);
  const leftovers = new Map<string, Set<TemporaryState>>();
  for (const entry of await readdir(target.parent)) {
    const match = pattern.exec(entry);
    if (!match || isAlive(Number(match[3]))) continue;
    const states = leftovers.get(match[2]!) ?? new Set();
    states.add(match[1] as TemporaryState);
    leftovers.set(match[2]!, states);
  }
  const at = (state: TemporaryState, id: string) => join(target.parent, temporaryName(target.name, state, id));
  for (const [id, states] of leftovers) {
    if (states.has('staging')) await rm(at('staging', id), { recursive: true, force: true });
    if (states.has('ready')) {
      // Killed after the new report was complete: finish the swap if DIR was already moved aside.
      if (await exists(target.path)) await rm(at('ready', id), { recursive: true, force: true });
      else await rename(at('ready', id), target.path);
    }
    if (states.has('old')) {
      if (await exists(target.path)) await rm(at('old', id), { recursive: true, force: true });
      else await rename(at('old', id), target.path);
    }
  }
}

/**
 * Checks `--out DIR` before anything runs, and repairs what a killed earlier run left next to it.
 * DIR may be missing (it is created) but its parent must be an existing, writable directory; DIR itself,
 * when present, must be a directory. Throws {@link ReportDirectoryError} with one line saying what is wrong.
 */
export async function prepareReportDirectory(out: string): Promise<ReportTarget> {
  let path = resolve(out);
  const parent = dirname(path);
  if (parent === path) throw new ReportDirectoryError(`--out ${out}: cannot replace the root directory; name a folder to write the report into`);
  let parentStats: Awaited<ReturnType<typeof stat>>;
  try {
    parentStats = await stat(parent);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ReportDirectoryError(
      code === 'ENOENT' ? `--out ${out}: the parent folder ${parent} does not exist; create it first` : `--out ${out}: cannot use ${parent}: ${reason(error)}`,
    );
  }
  if (!parentStats.isDirectory()) throw new ReportDirectoryError(`--out ${out}: ${parent} is not a directory`);
  try {
    const stats = await stat(path);
    if (!stats.isDirectory()) throw new ReportDirectoryError(`--out ${out}: ${path} exists and is not a directory; name a folder for the report`);
    path = await realpath(path);
  } catch (error) {
    if (error instanceof ReportDirectoryError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ReportDirectoryError(`--out ${out}: cannot use ${path}: ${reason(error)}`);
  }
  const target: ReportTarget = { path, parent: dirname(path), name: basename(path) };
  const cwd = process.cwd();
  if (cwd === path || cwd.startsWith(`${path}${sep}`)) {
    throw new ReportDirectoryError(`--out ${out}: ${path} is the current folder or contains it; the report replaces its folder as a whole, so name a folder for it`);
  }
  if (!(await looksLikeReportDirectory(path))) {
    throw new ReportDirectoryError(
      `--out ${out}: ${path} holds files but no report.json; the report replaces its folder as a whole, so give a new or empty folder (or one with an earlier report)`,
    );
  }
  // The report is written next to DIR and renamed into place, so the parent must take a new folder.
  const probe = join(target.parent, temporaryName(target.name, 'staging', `${process.pid}-${randomBytes(6).toString('hex')}`));
  try {
    await access(target.parent, constants.W_OK | constants.X_OK);
    await mkdir(probe);
    await rmdir(probe);
  } catch (error) {
    throw new ReportDirectoryError(`--out ${out}: cannot write in ${target.parent}: ${reason(error)}`);
  }
  try {
    await recoverReportDirectory(target);
  } catch (error) {
    throw new ReportDirectoryError(`--out ${out}: cannot clean up after an earlier interrupted run in ${target.parent}: ${reason(error)}`);
  }
  return target;
}

/**
 * Whether `path` is missing, empty, or holds a report (report.json), or only folders that each hold one (a
 * nested `perf/` report, say). Anything else may be a folder of the user's that a swap must not take over.
 */
async function looksLikeReportDirectory(path: string): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new ReportDirectoryError(`cannot read ${path}: ${reason(error)}`);
  }
  if (entries.length === 0 || entries.includes('report.json')) return true;
  for (const entry of entries) {
    const stats = await lstat(join(path, entry));
    if (!stats.isDirectory() || !(await exists(join(path, entry, 'report.json')))) return false;
  }
  return true;
}

/** The files the report currently in DIR wrote: report.json, report.md, report.html and the plots report.json lists. */
async function previousReportFiles(directory: string): Promise<Set<string>> {
  const files = new Set(['report.json', 'report.md', 'report.html']);
  try {
    const previous = JSON.parse(await readFile(join(directory, 'report.json'), 'utf8')) as { runs?: { plot_files?: unknown }[]; summaries?: { plot_files?: unknown }[] };
    const entries = [...(Array.isArray(previous.runs) ? previous.runs : []), ...(Array.isArray(previous.summaries) ? previous.summaries : [])];
    for (const run of entries) {
      for (const file of Array.isArray(run?.plot_files) ? run.plot_files : []) if (typeof file === 'string' && basename(file) === file) files.add(file);
    }
  } catch {
    // No report.json, or not ours: only the two fixed names are the report's.
  }
  return files;
}

/** Hard-links (or copies) `source` into `destination`, folders recursively. */
async function carryOver(source: string, destination: string): Promise<void> {
  const stats = await lstat(source);
  if (stats.isDirectory()) {
    await mkdir(destination);
    for (const entry of await readdir(source)) await carryOver(join(source, entry), join(destination, entry));
  } else if (stats.isSymbolicLink()) {
    await symlink(await readlink(source), destination);
  } else if (stats.isFile()) {
    try {
      await link(source, destination);
    } catch {
      await copyFile(source, destination, constants.COPYFILE_EXCL);
    }
  }
}

async function writeDurably(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can fsync a directory; the renames are still atomic.
  }
}

/**
 * Writes `files` as the new content of the report directory (see the module comment): all files go into a
 * fresh staging folder next to DIR, files of DIR that the previous report did not write are carried over,
 * and the folder is swapped into place. Until the swap starts, an aborted `signal` throws
 * {@link ReportInterruptedError} and leaves DIR untouched. On any failure the staging folder is removed.
 */
export async function writeReportSet(target: ReportTarget, files: ReportFile[], options: WriteReportOptions = {}): Promise<void> {
  const id = `${process.pid}-${randomBytes(6).toString('hex')}`;
  const staging = join(target.parent, temporaryName(target.name, 'staging', id));
  const ready = join(target.parent, temporaryName(target.name, 'ready', id));
  const old = join(target.parent, temporaryName(target.name, 'old', id));
  const step = async (name: ReportStep) => {
    await options.onStep?.(name);
    await reportSetTestHooks.onStep?.(name);
  };
  const checkSignal = () => {
    if (options.signal?.aborted) throw new ReportInterruptedError();
  };
  let swapping = false;
  try {
    checkSignal();
    await mkdir(staging);
    const names = new Set<string>();
    for (const file of files) {
      if (basename(file.name) !== file.name || file.name.startsWith('.') || names.has(file.name)) {
        throw new Error(`report file name "${file.name}" is not a plain, unique file name`);
      }
      names.add(file.name);
      await writeDurably(join(staging, file.name), file.data);
      checkSignal();
    }
    const previous = (await exists(target.path)) ? await previousReportFiles(target.path) : undefined;
    if (previous !== undefined) {
      for (const entry of await readdir(target.path)) {
        if (!previous.has(entry) && !names.has(entry)) await carryOver(join(target.path, entry), join(staging, entry));
      }
    }
    await syncDirectory(staging);
    await step('staging-written');
    checkSignal();
    swapping = true;
    await rename(staging, ready);
    await step('ready');
    const hadPrevious = await exists(target.path);
    if (hadPrevious) await rename(target.path, old);
    await step('previous-moved-aside');
    try {
      await rename(ready, target.path);
    } catch (error) {
      if (hadPrevious) await rename(old, target.path);
      throw error;
    }
    await syncDirectory(target.parent);
    await step('swapped');
    // The new report is in place; an `old` folder left by a failure here is removed by the next run.
    if (hadPrevious) await rm(old, { recursive: true, force: true }).catch(() => undefined);
    await step('done');
  } catch (error) {
    await rm(swapping ? ready : staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

// Finds the READMEs of the repository and the fenced code blocks in them, for the docs test
// (readme-blocks.test.ts) that runs every TypeScript/JavaScript block and checks every CLI command line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface CodeBlock {
  /** README path relative to the repository root, e.g. `packages/core/README.md`. */
  readme: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** First word of the fence info: `ts`, `sh`, `` (none), ... */
  lang: string;
  /** The rest of the fence info, e.g. `skip-test`. */
  flags: string[];
  /** The nearest `#` heading above the block. */
  heading: string;
  code: string;
}

/** Languages whose blocks the docs test imports and runs. */
export const RUNNABLE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);
/** Languages whose blocks hold shell command lines. */
export const SHELL = new Set(['sh', 'bash', 'shell', 'console']);
/** Fence flag that keeps a runnable block from running; the block must say why in a comment line of its own. */
export const SKIP_FLAG = 'skip-test';

/** README.md at the root and every README.md under packages/, apps/ and tooling/ (node_modules and dist left out), sorted. */
export function findReadmes(root: string): string[] {
  const found = [join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === 'README.md') found.push(path);
    }
  };
  for (const top of ['packages', 'apps', 'tooling']) walk(join(root, top));
  return found.map((path) => relative(root, path));
}

/** The fenced (```) code blocks of a Markdown text, with their language, flags, line and heading. */
export function extractBlocks(markdown: string, readme: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6}\s/.test(line)) heading = line.replace(/^#+\s*/, '').trim();
    const open = /^```(.*)$/.exec(line);
    if (!open) continue;
    const [lang = '', ...flags] = open[1]!.trim().split(/\s+/).filter(Boolean);
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j]!)) body.push(lines[j++]!);
    if (j === lines.length) throw new Error(`${readme}:${i + 1}: code fence is never closed`);
    blocks.push({ readme, line: i + 1, lang: lang.toLowerCase(), flags, heading, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** Every block of every README of the repository. */
export function allBlocks(root: string): CodeBlock[] {
  return findReadmes(root).flatMap((readme) => extractBlocks(readFileSync(join(root, readme), 'utf8'), readme));
}

/** The reason a skipped block gives in its own comment line (`// Not run by the docs test: ...`), if any. */
export function skipReason(block: CodeBlock): string | undefined {
  return /^\s*\/\/\s*Not run by the docs test:\s*(\S.*)$/m.exec(block.code)?.[1];
}

/**
 * Where a block's temporary module goes: inside the package that owns the README (so the package's own
 * dependencies and dev dependencies resolve, with the `@unbiased/source` condition), in its git-ignored
 * `test/tmp-*` scratch space; root README blocks go to the git-ignored `tmp/` folder at the root.
 */
export function scratchPath(root: string, block: CodeBlock, index: number): string {
  const dir = dirname(block.readme);
  const ext = block.lang.startsWith('j') || block.lang === 'mjs' ? 'mjs' : 'ts';
  if (dir === '.') return join(root, 'tmp', 'readme-blocks', `readme-${block.line}-${index}.${ext}`);
  return join(root, dir, 'test', `tmp-readme-${block.line}-${index}.${ext}`);
}

/** What `npm run demo` passes to the CLI (tooling/scripts/task.mjs) before any extra arguments. */
export const DEMO_ARGS = ['reproduce', '--all', '--scale', 'smoke', '--out', 'reports/demo'];

/** One CLI invocation found in a shell block: the argument vector after `unbiased`. */
export interface CliLine {
  text: string;
  args: string[];
}

/**
 * The `unbiased` command lines of a shell block: `npm run unbiased -- ...`, `npm run -s unbiased -- ...`,
 * `node apps/bench/bin/unbiased.js ...` or `unbiased ...`. Trailing `# comments` are dropped.
 */
export function cliLines(code: string): CliLine[] {
  const out: CliLine[] = [];
  for (const raw of code.split('\n')) {
    const text = raw.replace(/\s+#.*$/, '').trim();
    const match = /^(?:npm run(?: -s)? unbiased --|node apps\/bench\/bin\/unbiased\.js|unbiased)(?:\s+(.*))?$/.exec(text);
    if (match) out.push({ text, args: (match[1] ?? '').split(/\s+/).filter(Boolean) });
    // `npm run demo -- ARGS` runs `unbiased reproduce --all --scale smoke --out reports/demo ARGS`.
    const demo = /^npm run(?: -s)? demo --\s+(.*)$/.exec(text);
    if (demo) out.push({ text, args: [...DEMO_ARGS, ...demo[1]!.split(/\s+/).filter(Boolean)] });
  }
  return out;
}

/** `npm run <script>` lines (other than `unbiased`) of a shell block: the script names. */
export function npmScripts(code: string): string[] {
  const out: string[] = [];
  for (const raw of code.split('\n')) {
    const text = raw.replace(/\s+#.*$/, '').trim();
    const match = /^npm (?:run(?: -s)? ([\w:-]+)|(test))\b/.exec(text);
    const script = match?.[1] ?? match?.[2];
    if (script && script !== 'unbiased') out.push(script);
  }
  return out;
}

/** `npm install <packages>` lines of a shell block: the package names (versions stripped). */
export function npmInstalls(code: string): string[] {
  const out: string[] = [];
  for (const raw of code.split('\n')) {
    const text = raw.replace(/\s+#.*$/, '').trim();
    const match = /^npm (?:install|i) (.+)$/.exec(text);
    if (!match) continue;
    for (const word of match[1]!.split(/\s+/)) {
      if (word.startsWith('-')) continue;
      out.push(word.replace(/(.)@[^/]*$/, '$1'));
    }
  }
  return out;
}

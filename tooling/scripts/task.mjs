#!/usr/bin/env node
// The README's commands, runnable on a fresh machine with only Node 20 and npm:
//   npm run demo   -> install the workspace, build, reproduce every registered claim at smoke scale
//   npm test       -> install the workspace, typecheck, lint, run every test on every available backend
// The install step uses the pinned pnpm (through npx when it is not installed yet) with the frozen lockfile.
// Install and build chatter (pnpm, turbo, npx) goes to stderr, so that stdout carries only what the task itself
// prints: `npm run -s unbiased -- list --json | jq` sees the JSON document alone.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const PNPM = 'pnpm@12.4.2';

/** Runs a command; `chatter: true` sends its stdout to our stderr (install and build steps). */
function run(command, args, { env, chatter = false } = {}) {
  const stdio = chatter ? ['inherit', 2, 'inherit'] : 'inherit';
  const result = spawnSync(command, args, { cwd: root, stdio, env: { ...process.env, ...env } });
  if (result.error) throw result.error;
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function install() {
  const local = bin('pnpm');
  if (existsSync(local)) run(local, ['install', '--frozen-lockfile', '--reporter=append-only'], { chatter: true });
  else run('npx', ['--yes', PNPM, 'install', '--frozen-lockfile', '--reporter=append-only'], { chatter: true });
}

const [task = 'test', ...rest] = process.argv.slice(2);
switch (task) {
  case 'test':
    install();
    run(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only']);
    run(bin('biome'), ['check', '.']);
    run(bin('vitest'), ['run', ...rest], { env: { EGL_PLATFORM: 'surfaceless' } });
    break;
  case 'build':
    install();
    run(bin('turbo'), ['run', 'build', '--output-logs=errors-only', ...rest]);
    break;
  case 'typecheck':
    install();
    run(bin('turbo'), ['run', 'typecheck', '--output-logs=errors-only', ...rest]);
    break;
  case 'lint':
    install();
    run(bin('biome'), ['check', '.', ...rest]);
    break;
  case 'demo':
    install();
    run(bin('turbo'), ['run', 'build', '--filter=@unbiased/bench...', '--output-logs=errors-only'], { chatter: true });
    run(process.execPath, [join(root, 'apps/bench/bin/unbiased.js'), 'reproduce', '--all', '--scale', 'smoke', '--out', 'reports/demo', '--report-only', ...rest]);
    break;
  case 'unbiased':
    install();
    run(bin('turbo'), ['run', 'build', '--filter=@unbiased/bench...', '--output-logs=errors-only'], { chatter: true });
    run(process.execPath, [join(root, 'apps/bench/bin/unbiased.js'), ...rest]);
    break;
  default:
    console.error(`unknown task "${task}"; tasks: test, build, typecheck, lint, demo, unbiased`);
    process.exit(2);
}

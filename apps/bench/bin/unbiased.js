#!/usr/bin/env node
// The `unbiased` command: a shim over the compiled CLI (build it with `pnpm --filter @unbiased/bench build`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dawnWarningFilter, mayStartDawn } from './quiet.js';

const argv = process.argv.slice(2);

// Commands that may start WebGPU run in a child whose stderr is filtered (see quiet.js), unless --verbose.
if (process.env.UNBIASED_STDERR_FILTERED !== '1' && mayStartDawn(argv)) {
  process.exitCode = await runFiltered();
} else {
  if (process.env.UNBIASED_STDERR_FILTERED === '1' && process.channel) {
    // The parent went away (killed): stop as a killed process would, leaving any report as it was.
    process.on('disconnect', () => process.exit(1));
    process.channel.unref();
  }
  const cli = new URL('../dist/cli.js', import.meta.url);
  let main;
  try {
    ({ main } = await import(cli.href));
  } catch (error) {
    if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes(cli.pathname)) {
      process.stderr.write('unbiased: the CLI is not built yet; run `pnpm --filter @unbiased/bench... build` first\n');
      process.exit(1);
    }
    throw error;
  }
  process.exitCode = await main(argv);
}

async function runFiltered() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...argv], {
    // Its own process group, so that Ctrl-C reaches it once, forwarded below, not twice.
    detached: true,
    stdio: ['inherit', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, UNBIASED_STDERR_FILTERED: '1', ...(process.stderr.isTTY ? { UNBIASED_STDERR_TTY: '1' } : {}) },
  });
  const filter = dawnWarningFilter((text) => process.stderr.write(text));
  child.stderr.setEncoding('utf8').on('data', filter.push);
  const stderrDone = new Promise((resolve) => child.stderr.on('close', resolve));
  const forward = (signal) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, forward);
  const [code, signal] = await new Promise((resolve) => child.on('exit', (...result) => resolve(result)));
  await stderrDone;
  filter.end();
  if (signal !== null) {
    for (const name of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(name, forward);
    process.kill(process.pid, signal);
  }
  return code ?? 1;
}

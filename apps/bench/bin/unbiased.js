#!/usr/bin/env node
// The `unbiased` command: a shim over the compiled CLI (build it with `pnpm --filter @unbiased/bench build`).
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
process.exitCode = await main(process.argv.slice(2));

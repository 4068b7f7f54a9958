// The Node side of `#platform` (package.json `imports`): the temp data file a Python perf peer reads.
// ./browser.ts is the same API for bundlers (browser condition), so nothing Node-only is reachable there.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Writes `bytes` to `name` in the OS temp directory (overwriting) and returns its path, for a perf peer's `--data`. */
export function writePeerDataFile(name: string, bytes: Uint8Array): string {
  const path = join(tmpdir(), name);
  writeFileSync(path, bytes);
  return path;
}

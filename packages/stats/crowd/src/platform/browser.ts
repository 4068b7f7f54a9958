// The browser side of `#platform` (package.json maps it here under the `browser` condition): the same API as
// ./node.ts with no Node built-in. Python perf peers run only from the Node CLI (`unbiased perf --peers`).
import { UnbiasedError } from '@unbiased/core/errors';

/** No file system and no Python here: always throws `INVALID_ARGUMENT` (field `peers`). */
export function writePeerDataFile(name: string, _bytes: Uint8Array): string {
  throw new UnbiasedError('INVALID_ARGUMENT', `perf peers run only in Node (unbiased perf --peers); cannot write ${name} in a browser`, { field: 'peers' });
}

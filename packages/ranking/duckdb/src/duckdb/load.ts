/**
 * Lazy loading of the optional native addon `@duckdb/node-api` (DuckDB's Node API; prebuilt binaries come
 * as npm optional dependencies of `@duckdb/node-bindings`). Nothing else in this package imports it
 * statically, so bundles and `@unbiased/ultr-data` users never require it.
 */
import { UnbiasedError } from '@unbiased/core/errors';

/** The module `@duckdb/node-api`, typed as this package uses it. */
export type DuckDbModule = typeof import('@duckdb/node-api');

/** The exact version this package pins (an optional dependency: installed with it where a prebuilt binary exists). */
export const DUCKDB_NODE_API_VERSION = '1.5.6-r.1';

let cached: Promise<DuckDbModule> | undefined;

/**
 * Imports `@duckdb/node-api` once. Throws `BACKEND_PACKAGE_MISSING` naming the install command when the
 * package or its native binary for this platform cannot be loaded (the original error is the `cause`).
 */
export function loadDuckDb(): Promise<DuckDbModule> {
  cached ??= import('@duckdb/node-api').catch((error: unknown) => {
    cached = undefined;
    throw new UnbiasedError(
      'BACKEND_PACKAGE_MISSING',
      `the DuckDB engine needs the optional native package @duckdb/node-api (${(error as Error).message?.split('\n')[0] ?? String(error)}); install it with \`npm install @duckdb/node-api@${DUCKDB_NODE_API_VERSION}\`, or use the hyparquet reader where a native addon cannot load`,
      { field: '@duckdb/node-api', cause: error },
    );
  });
  return cached;
}

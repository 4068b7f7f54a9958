/**
 * The register entries the CLI imports so their experiments, optimizers and perf suites are registered.
 * Adding a package to the CLI is one line here (and a dependency in apps/bench/package.json).
 */
export const PLUGINS: readonly string[] = [
  '@unbiased/core/register',
  '@unbiased/optim-stosignsgd/register',
  '@unbiased/optim-signsgd/register',
  '@unbiased/optim-adamw/register',
  '@unbiased/optim-lion/register',
  '@unbiased/ultr-data/register',
  '@unbiased/ultr-dla/register',
  '@unbiased/recsys-relmf/register',
  '@unbiased/recsys-fairrec/register',
  '@unbiased/stats-thresholdout/register',
  '@unbiased/stats-calibration/register',
  '@unbiased/stats-crowd/register',
];

/** A plugin whose register entry is not installed or not exported (yet). */
export interface MissingPlugin {
  specifier: string;
  reason: string;
}

function packageAndSubpath(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  return [parts.slice(0, nameLength).join('/'), `./${parts.slice(nameLength).join('/')}`];
}

function isMissing(error: unknown, specifier: string): boolean {
  const message = String((error as { message?: unknown }).message ?? '');
  const code = (error as { code?: unknown }).code;
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || /Cannot find (module|package)|Missing ".*" specifier/.test(message);
  if (!notFound) return false;
  // Only the entry itself missing counts; a plugin that fails on one of *its* imports is broken, not absent.
  const [name, subpath] = packageAndSubpath(specifier);
  const quoted = (text: string) => message.includes(`'${text}'`) || message.includes(`"${text}"`);
  return quoted(specifier) || quoted(name) || (message.includes(name) && quoted(subpath));
}

/**
 * Imports every entry of {@link PLUGINS} (each registers itself on import). An entry that is not installed
 * is returned in the list (the CLI warns on stderr and goes on); an entry that throws while registering
 * rethrows, since a half-registered plugin would give wrong answers.
 */
export async function loadPlugins(plugins: readonly string[] = PLUGINS): Promise<MissingPlugin[]> {
  const missing: MissingPlugin[] = [];
  for (const specifier of plugins) {
    try {
      await import(specifier);
    } catch (error) {
      if (!isMissing(error, specifier)) throw error;
      missing.push({ specifier, reason: (error as Error).message.split('\n')[0] ?? '' });
    }
  }
  return missing;
}

// The Node side of the runtime. package.json maps `#platform` here under Node's conditions and to
// ./browser.ts under a bundler's `browser` condition, so nothing Node-only (built-ins, the `webgpu` npm
// package) is reachable from a browser bundle.

export { setupDawn } from '../runtime/webgpu-node.js';
export { WEBGPU_SYSTEM_PACKAGES } from '../runtime/system-packages.js';

/** Where this build of core runs. */
export const PLATFORM: 'node' | 'browser' = 'node';

/**
 * The default location of the tfjs wasm binaries: the installed `@tensorflow/tfjs-backend-wasm/dist/`,
 * absolute (Node's fetch cannot parse a relative prefix, tfjs issue #6942).
 */
export async function defaultWasmPaths(): Promise<string | undefined> {
  const { createRequire } = await import('node:module');
  const { dirname } = await import('node:path');
  const require = createRequire(import.meta.url);
  return `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`;
}

// tfjs-core's gradient registrations ship only as ES modules with extension-less relative imports, which
// bundlers and vitest resolve but Node's ESM loader does not. This resolve hook adds the '.js' for imports
// made from inside tfjs-core's dist folder, and nothing else.
const RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    const fromTfjsCore = typeof context.parentURL === 'string' && context.parentURL.includes('/@tensorflow/tfjs-core/dist/');
    if (relative && fromTfjsCore && !/\\.[cm]?js$/.test(specifier)) return next(specifier + '.js', context);
    throw error;
  }
}`;

/**
 * Lets Node's ESM loader import tfjs-core's gradient registrations (see RESOLVE_HOOK above; Node >= 20.6).
 * Throws if `node:module.register` is missing.
 */
export async function prepareGradientImport(): Promise<void> {
  const { register } = (await import('node:module')) as { register?: (url: string) => void };
  if (typeof register !== 'function') {
    throw new Error('node:module.register is missing (Node >= 20.6 is required)');
  }
  register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
}

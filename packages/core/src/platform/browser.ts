// The browser side of the runtime (package.json maps `#platform` here under the `browser` condition): the same
// API as ./node.ts with no Node built-in and no `webgpu` npm package, so bundlers never see them.
import { UnbiasedError } from '../errors.js';
import type { DawnOptions, DawnSetup } from '../runtime/webgpu-node.js';

export { WEBGPU_SYSTEM_PACKAGES } from '../runtime/system-packages.js';

/** Where this build of core runs. */
export const PLATFORM: 'node' | 'browser' = 'browser';

/**
 * Dawn (the `webgpu` npm package) is for Node only; a browser provides WebGPU as `navigator.gpu`. Always throws
 * `WEBGPU_UNAVAILABLE` here.
 */
export async function setupDawn(_options: DawnOptions = {}): Promise<DawnSetup> {
  throw new UnbiasedError('WEBGPU_UNAVAILABLE', 'setupDawn is Node-only (Dawn via the "webgpu" npm package); in a browser WebGPU is navigator.gpu', {
    field: 'webgpu',
  });
}

/**
 * No default in a browser: tfjs then loads its wasm binaries next to its own script (or from jsDelivr). A bundled
 * app passes `wasmPaths` to `useBackend` with the URLs its bundler gave the three files.
 */
export async function defaultWasmPaths(): Promise<string | undefined> {
  return undefined;
}

/** Nothing to prepare: bundlers resolve tfjs-core's extension-less imports themselves. */
export async function prepareGradientImport(): Promise<void> {}

import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import { isBackendInitialised } from '../tfjs/kernels.js';
import { ensureGradients } from '../tfjs/gradients.js';
import { defaultWasmPaths, setupDawn } from '#platform';
import type { DawnOptions, DawnSetup } from './webgpu-node.js';

/** The backends the project supports. */
export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface UseBackendOptions {
  /**
   * Where the tfjs wasm binaries live: a directory prefix or a map of the three file names. On Node the
   * default is the installed `@tensorflow/tfjs-backend-wasm/dist/` (absolute, as tfjs needs with Node's fetch);
   * in a browser tfjs's own default (jsDelivr) applies unless you pass this.
   */
  wasmPaths?: string | Record<string, string>;
  /** Dawn options on Node (ignored in browsers, which provide `navigator.gpu`). */
  dawn?: DawnOptions;
  /** `auto` tries these in order. Default: webgpu, wasm, cpu. */
  autoOrder?: BackendName[];
}

/** What the active backend is and where it runs. */
export interface RuntimeInfo {
  backend: BackendName;
  /** Adapter/driver for webgpu, SIMD/threads for wasm, `JavaScript` for cpu. */
  detail: string;
  platform: 'node' | 'browser';
  versions: { tfjsCore: string; node?: string };
}

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
let dawnSetup: DawnSetup | undefined;
const details = new Map<BackendName, string>();

function isBackendName(name: string): name is BackendName {
  return (BACKENDS as readonly string[]).includes(name);
}

async function resolveWasmPaths(explicit?: string | Record<string, string>): Promise<string | Record<string, string> | undefined> {
  if (explicit !== undefined) return explicit;
  return defaultWasmPaths();
}

async function importBackend(name: BackendName, options: UseBackendOptions): Promise<void> {
  const pkg = `@tensorflow/tfjs-backend-${name}`;
  try {
    if (name === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
    } else if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const paths = await resolveWasmPaths(options.wasmPaths);
      // setWasmPaths throws once the backend has initialised; only the first call can set it.
      if (paths !== undefined && !isBackendInitialised('wasm')) {
        wasm.setWasmPaths(paths as string);
      }
    } else {
      await import('@tensorflow/tfjs-backend-webgpu');
    }
  } catch (cause) {
    if (cause instanceof UnbiasedError) throw cause;
    throw new UnbiasedError('BACKEND_PACKAGE_MISSING', `backend "${name}" needs the package ${pkg}: npm install ${pkg}@^4.22.0`, {
      field: name,
      cause,
    });
  }
}

async function startBackend(name: BackendName, options: UseBackendOptions): Promise<void> {
  if (name === 'webgpu') {
    const hasNavigatorGpu = typeof navigator !== 'undefined' && (navigator as { gpu?: unknown }).gpu !== undefined;
    if (isNode && !hasNavigatorGpu) {
      dawnSetup = await setupDawn(options.dawn);
      details.set('webgpu', `Dawn ${dawnSetup.backend} (${dawnSetup.featureLevel}): ${dawnSetup.adapterInfo}`);
    } else if (!hasNavigatorGpu) {
      throw new UnbiasedError('WEBGPU_UNAVAILABLE', 'this browser has no navigator.gpu (WebGPU is off or unsupported)', { field: 'webgpu' });
    } else if (!details.has('webgpu')) {
      details.set('webgpu', 'navigator.gpu');
    }
  }
  await importBackend(name, options);
  if (!tf.findBackendFactory(name)) {
    throw new UnbiasedError('BACKEND_UNAVAILABLE', `backend "${name}" did not register with tfjs (is ${name === 'webgpu' ? 'navigator.gpu' : 'the package'} present?)`, {
      field: name,
    });
  }
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    cause = error;
  }
  // tfjs resolves false (and stays on the previous backend) when initialisation fails: never accept that.
  if (!ok || tf.getBackend() !== name) {
    throw new UnbiasedError('BACKEND_UNAVAILABLE', `backend "${name}" failed to initialise${cause ? `: ${String((cause as Error).message ?? cause)}` : ''}`, {
      field: name,
      cause,
    });
  }
  await tf.ready();
  if (name === 'wasm') {
    const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount?: () => number };
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    details.set('wasm', `WebAssembly, SIMD ${simd ? 'on' : 'off'}, threads ${wasm.getThreadsCount?.() ?? 1}`);
  }
  if (name === 'cpu') details.set('cpu', 'JavaScript (tfjs-backend-cpu)');
}

/**
 * Makes `name` the active tfjs backend, or throws an {@link UnbiasedError} that says why it cannot start.
 * Unlike `tf.setBackend`, it never falls back silently. `auto` picks the first of webgpu, wasm, cpu that starts.
 * It also registers tfjs's gradient functions ({@link ensureGradients}), so `tf.grad` and `minimize` work after it
 * on plain Node and in bundles with no extra import.
 *
 * ```ts
 * await useBackend('wasm');
 * ```
 */
export async function useBackend(name: BackendName | 'auto' | (string & {}), options: UseBackendOptions = {}): Promise<RuntimeInfo> {
  if (name === 'auto') {
    const reasons: string[] = [];
    for (const candidate of options.autoOrder ?? ['webgpu', 'wasm', 'cpu']) {
      try {
        return await useBackend(candidate, options);
      } catch (error) {
        reasons.push(`${candidate}: ${(error as Error).message}`);
      }
    }
    throw new UnbiasedError('BACKEND_UNAVAILABLE', `no backend could start: ${reasons.join('; ')}`, { field: 'backend' });
  }
  if (!isBackendName(name)) {
    throw new UnbiasedError('UNKNOWN_BACKEND', `unknown backend "${name}"; valid: ${BACKENDS.join(', ')}, auto`, { field: 'backend' });
  }
  if (tf.getBackend() !== name || !details.has(name)) {
    await startBackend(name, options);
  }
  // tfjs-core alone registers no gradient functions; training with autodiff should need no manual step.
  await ensureGradients();
  return describeRuntime();
}

/** The active backend, its adapter or build, and versions. Throws if no supported backend is active. */
export function describeRuntime(): RuntimeInfo {
  const backend = tf.getBackend();
  if (!isBackendName(backend)) {
    throw new UnbiasedError('BACKEND_UNAVAILABLE', `the active tfjs backend "${String(backend)}" is not one of ${BACKENDS.join(', ')}`, {
      field: 'backend',
    });
  }
  return {
    backend,
    detail: details.get(backend) ?? backend,
    platform: isNode ? 'node' : 'browser',
    versions: { tfjsCore: tf.version_core, ...(isNode ? { node: process.versions.node } : {}) },
  };
}

/** Availability of one backend, as `unbiased backends` prints it. */
export interface BackendProbe {
  name: BackendName;
  available: boolean;
  /** Adapter and driver when available; the reason (and what to install) when not. */
  detail: string;
}

/**
 * Tries to start every backend in turn and reports which start here and why the others do not. Leaves
 * `restoreTo` (default: the backend active before the call, if any) active afterwards.
 */
export async function probeBackends(options: UseBackendOptions = {}): Promise<BackendProbe[]> {
  const before = tf.getBackend();
  const probes: BackendProbe[] = [];
  for (const name of BACKENDS) {
    try {
      const info = await useBackend(name, options);
      probes.push({ name, available: true, detail: info.detail });
    } catch (error) {
      probes.push({ name, available: false, detail: (error as Error).message });
    }
  }
  if (before && isBackendName(before)) await tf.setBackend(before);
  return probes;
}

/**
 * Disposes the WebGPU device reference installed on Node so the process can exit. Call at teardown;
 * WebGPU cannot be used afterwards in this process.
 */
export function releaseRuntime(): void {
  if (tf.findBackend('webgpu')) {
    try {
      tf.removeBackend('webgpu');
    } catch {
      // already removed
    }
  }
  dawnSetup?.release();
  dawnSetup = undefined;
  details.delete('webgpu');
}

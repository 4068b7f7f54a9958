import { UnbiasedError } from '../errors.js';
import { WEBGPU_SYSTEM_PACKAGES } from './system-packages.js';

/** Options for WebGPU through Dawn (`webgpu` npm package) on Node. */
export interface DawnOptions {
  /**
   * Dawn backend: `auto` tries Dawn's default (Vulkan on Linux, core feature level) and falls back to
   * `opengles` (Mesa's GL ES driver, compatibility feature level) when no adapter is found. Default `auto`.
   */
  backend?: 'auto' | 'default' | 'opengles' | 'vulkan';
  /** Extra Dawn toggles passed to `create([...])`. */
  flags?: string[];
}

/** What was set up; `release()` removes it so Node can exit. */
export interface DawnSetup {
  backend: 'default' | 'opengles' | 'vulkan';
  featureLevel: 'core' | 'compatibility';
  adapterInfo: string;
  release(): void;
}

export { WEBGPU_SYSTEM_PACKAGES };

interface GpuLike {
  requestAdapter(options?: Record<string, unknown>): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
  requestDevice(descriptor?: { requiredFeatures?: unknown[] } & Record<string, unknown>): Promise<unknown>;
}

function describeAdapter(adapter: AdapterLike): string {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((p) => typeof p === 'string' && p.length > 0);
  return parts.length > 0 ? parts.join(' / ') : 'unnamed adapter';
}

/**
 * Wraps Dawn's GPU object the way tfjs-backend-webgpu needs it on Node: forces the feature level the
 * adapter was found with, and flattens `requiredFeatures` (tfjs passes a nested array, which strict
 * WebIDL implementations reject).
 */
function wrapGpu(gpu: GpuLike, featureLevel: 'core' | 'compatibility'): GpuLike {
  return {
    async requestAdapter(options: Record<string, unknown> = {}) {
      const adapter = await gpu.requestAdapter({ ...options, featureLevel });
      if (!adapter) return null;
      const requestDevice = adapter.requestDevice.bind(adapter);
      adapter.requestDevice = (descriptor = {}) => {
        const features = descriptor.requiredFeatures;
        return requestDevice(Array.isArray(features) ? { ...descriptor, requiredFeatures: features.flat() } : descriptor);
      };
      return adapter;
    },
  };
}

async function missingSystemLibraries(): Promise<string[]> {
  if (typeof process === 'undefined' || process.platform !== 'linux') return [];
  const fs = await import('node:fs');
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu'];
  const needed: [string, string][] = [
    ['libEGL.so.1', 'libegl1'],
    ['libGLESv2.so.2', 'libgles2'],
    ['libEGL_mesa.so.0', 'libegl-mesa0'],
  ];
  return needed.filter(([lib]) => !dirs.some((d) => fs.existsSync(`${d}/${lib}`))).map(([, pkg]) => pkg);
}

/**
 * Installs Dawn's `navigator.gpu` on Node so that `@tensorflow/tfjs-backend-webgpu` registers itself.
 * Must run before that package is imported. Throws `WEBGPU_UNAVAILABLE` saying why and what to install.
 */
export async function setupDawn(options: DawnOptions = {}): Promise<DawnSetup> {
  const g = globalThis as unknown as { navigator?: { gpu?: unknown }; [k: string]: unknown };
  let dawn: { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
  try {
    dawn = (await import('webgpu')) as unknown as typeof dawn;
  } catch (cause) {
    throw new UnbiasedError(
      'WEBGPU_UNAVAILABLE',
      'WebGPU on Node needs the "webgpu" npm package (Dawn): npm install webgpu@^0.6.2',
      { field: 'webgpu', cause },
    );
  }
  Object.assign(globalThis, dawn.globals);
  const wanted = options.backend ?? 'auto';
  const attempts: { backend: DawnSetup['backend']; featureLevel: DawnSetup['featureLevel'] }[] = [];
  if (wanted === 'auto' || wanted === 'default') attempts.push({ backend: 'default', featureLevel: 'core' });
  if (wanted === 'vulkan') attempts.push({ backend: 'vulkan', featureLevel: 'core' });
  if (wanted === 'auto' || wanted === 'opengles') attempts.push({ backend: 'opengles', featureLevel: 'compatibility' });

  const failures: string[] = [];
  for (const attempt of attempts) {
    const flags = [...(options.flags ?? [])];
    if (attempt.backend !== 'default') flags.push(`backend=${attempt.backend}`);
    if (attempt.backend === 'opengles' && typeof process !== 'undefined') {
      // Mesa's EGL needs a platform without a display server; libEGL reads this when Dawn opens it.
      process.env.EGL_PLATFORM ??= 'surfaceless';
    }
    let gpu: GpuLike;
    try {
      gpu = dawn.create(flags);
    } catch (cause) {
      failures.push(`${attempt.backend}: ${String((cause as Error)?.message ?? cause)}`);
      continue;
    }
    const adapter = await gpu.requestAdapter({ featureLevel: attempt.featureLevel });
    if (!adapter) {
      failures.push(`${attempt.backend} (${attempt.featureLevel}): no adapter`);
      continue;
    }
    const wrapped = wrapGpu(gpu, attempt.featureLevel);
    g.navigator = { ...(g.navigator ?? {}), gpu: wrapped };
    return {
      ...attempt,
      adapterInfo: describeAdapter(adapter),
      release() {
        if (g.navigator && g.navigator.gpu === wrapped) delete g.navigator;
      },
    };
  }
  const missing = await missingSystemLibraries();
  const advice =
    missing.length > 0
      ? ` Missing system libraries; install them with: apt-get install ${missing.join(' ')}` +
        ' (Mesa GL ES, used by Dawn when there is no GPU).'
      : ` Without a GPU, Dawn needs Mesa's GL ES driver: apt-get install ${WEBGPU_SYSTEM_PACKAGES.join(' ')}.`;
  throw new UnbiasedError('WEBGPU_UNAVAILABLE', `no WebGPU adapter: ${failures.join('; ')}.${advice}`, { field: 'webgpu' });
}

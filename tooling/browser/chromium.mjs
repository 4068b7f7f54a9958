// Headless Chromium for the browser tests and the playground's perf suite: Debian's `chromium` package driven by
// playwright-core (no browser download), with the flags that give WebGPU a software adapter on machines without
// a GPU (recorded in apps/playground/README.md), and a static server for a built app. Plain JavaScript (the perf
// suite loads it on plain Node); types: chromium.d.mts.
import { existsSync } from 'node:fs';

/** The system Chromium (Debian's `chromium` package); UNBIASED_CHROMIUM overrides it. */
export const CHROMIUM = process.env.UNBIASED_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the system Chromium is installed. */
export function chromiumAvailable() {
  return existsSync(CHROMIUM);
}

/**
 * Flags measured to expose a WebGPU adapter (google / swiftshader) in headless Chromium 156 with no GPU:
 * WebGPU is behind `--enable-unsafe-webgpu` on Linux (that flag alone, with --no-sandbox, was enough here);
 * `--use-webgpu-adapter=swiftshader` asks for the software adapter explicitly, `--use-angle=swiftshader` keeps
 * ANGLE off the missing GPU. The rest keep the run hermetic (no network, no sandbox in containers).
 */
export const CHROMIUM_WEBGPU_FLAGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--use-angle=swiftshader',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/** Launches the system Chromium headless with {@link CHROMIUM_WEBGPU_FLAGS} (plus `extraArgs`). */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_WEBGPU_FLAGS, ...extraArgs] });
}

/** Serves the built app in `dir` on 127.0.0.1 (a secure context, as WebGPU and service workers need). */
export async function serveStatic(dir) {
  const { preview } = await import('vite');
  const server = await preview({ configFile: false, root: dir, logLevel: 'silent', build: { outDir: dir }, preview: { host: '127.0.0.1', port: 0, open: false } });
  const address = server.httpServer.address();
  return { url: `http://127.0.0.1:${address.port}/`, close: () => server.close() };
}

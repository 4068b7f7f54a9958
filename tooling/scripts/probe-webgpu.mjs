// Exits 0 when Dawn (the `webgpu` package) finds an adapter here, else prints why and exits 1.
// Used by vitest.config.ts to decide whether the WebGPU test project can run.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
process.env.EGL_PLATFORM ??= 'surfaceless';
const attempts = [
  { flags: [], featureLevel: 'core', label: 'default' },
  { flags: ['backend=opengles'], featureLevel: 'compatibility', label: 'opengles' },
];
const failures = [];
for (const { flags, featureLevel, label } of attempts) {
  const adapter = await create(flags).requestAdapter({ featureLevel });
  if (adapter) {
    console.log(`webgpu adapter via Dawn ${label} (${featureLevel})`);
    process.exit(0);
  }
  failures.push(`${label}: no adapter`);
}
console.log(`no WebGPU adapter (${failures.join('; ')})`);
process.exit(1);

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const conditions = ['@unbiased/source', 'module', 'node', 'import', 'default'];
const shared = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@unbiased/source'] } },
};

/**
 * Tests that touch tensors are named `*.backend.test.ts` and run once per available backend; every other
 * `*.test.ts` runs once in `unit`. Both globs cover any folder of a package (test/, src/, tooling/), so a
 * contributor's test file is never silently left out.
 */
const backendTests = ['packages/**/*.backend.test.ts', 'apps/**/*.backend.test.ts', 'tooling/**/*.backend.test.ts'];
const unitTests = ['packages/**/*.test.ts', 'apps/**/*.test.ts', 'tooling/**/*.test.ts'];
/** Tests that bundle for the browser or drive headless Chromium (`*.browser.test.ts`): one project, run once. */
const browserTests = ['apps/**/*.browser.test.ts', 'tooling/**/*.browser.test.ts', 'packages/**/*.browser.test.ts'];
/** Every project: fast-check property tests run from one fixed seed (FC_SEED overrides it). */
const fastCheckSetup = `${root}tooling/vitest/setup-fast-check.ts`;
const ignore = ['**/node_modules/**', '**/dist/**', '**/test/zz-*', '**/test/tmp-*'];

function backendProject(name: 'cpu' | 'wasm' | 'webgpu'): TestProjectInlineConfiguration {
  return {
    extends: true,
    test: {
      name: `node-${name}`,
      include: backendTests,
      exclude: ignore,
      setupFiles: [fastCheckSetup, `${root}tooling/vitest/setup-backend.ts`],
      env: { UNBIASED_TEST_BACKEND: name, EGL_PLATFORM: 'surfaceless' },
      testTimeout: name === 'webgpu' ? 120_000 : 60_000,
      hookTimeout: 120_000,
    },
  };
}

// WebGPU tests run for real wherever Dawn finds an adapter. In CI a missing adapter fails the run; on a
// developer machine without the system packages the project is left out with a message naming them.
function webgpuProject(): TestProjectInlineConfiguration[] {
  if (process.env.UNBIASED_SKIP_WEBGPU === '1') return [];
  const probe = spawnSync(process.execPath, [`${root}tooling/scripts/probe-webgpu.mjs`], {
    encoding: 'utf8',
    env: { ...process.env, EGL_PLATFORM: 'surfaceless' },
    timeout: 60_000,
  });
  if (probe.status === 0) return [backendProject('webgpu')];
  const reason = (probe.stdout + probe.stderr).trim().split('\n').filter((l) => !l.startsWith('Warning:')).join(' ');
  if (process.env.CI) {
    throw new Error(`WebGPU tests must run in CI but no adapter was found: ${reason}`);
  }
  console.warn(
    `\n[unbiased] WebGPU tests SKIPPED on this machine: ${reason}\n` +
      '[unbiased] To run them without a GPU: apt-get install libegl1 libgles2 libegl-mesa0\n',
  );
  return [];
}

export default defineConfig({
  ...shared,
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          setupFiles: [fastCheckSetup],
          include: unitTests,
          exclude: [...ignore, ...backendTests, ...browserTests],
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          setupFiles: [fastCheckSetup],
          include: browserTests,
          exclude: ignore,
          env: { EGL_PLATFORM: 'surfaceless' },
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
      backendProject('cpu'),
      backendProject('wasm'),
      ...webgpuProject(),
    ],
  },
});

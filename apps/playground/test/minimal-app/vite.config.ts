import { defineConfig } from 'vite';

// A user's app needs no resolve settings (Vite applies the `browser` condition); this one, inside the workspace,
// also resolves @unbiased/* to their TypeScript sources so the test needs no prior build.
export default defineConfig({
  base: './',
  resolve: { conditions: ['@unbiased/source', 'module', 'browser', 'import', 'default'] },
  build: { target: 'es2022' },
  logLevel: 'warn',
});

// The optimizer conformance table: every optimizer registered by an installed plug-in, found through the CLI's
// own discovery (package.json "unbiased.register"), times its defaults and each registry variant, on every
// backend project. Registering an optimizer is all it takes to be tested here.
import { listOptimizers } from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { loadPlugins } from '../../apps/bench/src/plugins.js';
import { describeOptimizerTable } from '../../packages/conformance/src/index.js';

const plugins = await loadPlugins();
const optimizers = listOptimizers();

describe('conformance table discovery', () => {
  it('finds the plug-ins and their optimizers through the CLI discovery', () => {
    expect(plugins.map((p) => p.name)).toContain('@unbiased/core');
    expect(optimizers.length, plugins.map((p) => p.name).join(', ')).toBeGreaterThan(0);
  });
});

describeOptimizerTable(optimizers);

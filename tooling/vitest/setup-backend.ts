// Setup for the `node-<backend>` vitest projects: starts the backend named by UNBIASED_TEST_BACKEND
// (failing loudly if it cannot start), registers gradients, and turns on tfjs's kernel leak checks.
// The gradient registrations are ES modules; under vite they bind to tfjs-core's ES build, whose op handler
// (used by Tensor methods such as clone() inside gradients, e.g. gather's) is installed by its side effects.
// Loading both keeps autodiff working on tensors from the CommonJS build that Node resolves for tests.
import '@tensorflow/tfjs-core/dist/base_side_effects.js';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { releaseRuntime, useBackend } from '@unbiased/core';
import { afterAll, beforeAll } from 'vitest';

const backend = process.env.UNBIASED_TEST_BACKEND;
if (!backend) throw new Error('UNBIASED_TEST_BACKEND is not set');

beforeAll(async () => {
  await useBackend(backend);
  tf.env().set('IS_TEST', true);
});

afterAll(() => {
  releaseRuntime();
});

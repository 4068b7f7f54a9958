// Setup for the `node-<backend>` vitest projects: starts the backend named by UNBIASED_TEST_BACKEND
// (failing loudly if it cannot start), registers gradients, and turns on tfjs's kernel leak checks.
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

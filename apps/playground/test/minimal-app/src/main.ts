// The "use @unbiased/* in a Vite app" recipe of the README, built and run by apps/playground/test.
import * as tf from '@tensorflow/tfjs-core';
// The tfjs wasm binaries as assets of the bundle (hashed URLs); tfjs needs all three names.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { TransformOptimizer, useBackend } from '@unbiased/core';
import { adamw } from '@unbiased/optim-adamw';

const backend = new URLSearchParams(location.search).get('backend') ?? 'wasm';
const runtime = await useBackend(backend, {
  wasmPaths: {
    'tfjs-backend-wasm.wasm': wasmPlain,
    'tfjs-backend-wasm-simd.wasm': wasmSimd,
    'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
  },
});

// Fit w to (3, -1) under squared error with AdamW through core's tfjs adapter.
const w = tf.variable(tf.zeros([2]));
const target = tf.tensor1d([3, -1]);
const optimizer = new TransformOptimizer(adamw({ learningRate: 0.1, weightDecay: 0 }));
for (let step = 0; step < 200; step++) optimizer.minimize(() => tf.sum(tf.square(tf.sub(w, target))) as tf.Scalar);
const result = { backend: runtime.backend, platform: runtime.platform, w: Array.from(await w.data()) };
document.querySelector('#out')!.textContent = JSON.stringify(result);
document.body.dataset.result = JSON.stringify(result);

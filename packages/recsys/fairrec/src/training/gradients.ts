/**
 * tfjs-core registers no gradient functions by itself ("gradient function not found for Sum"); training
 * needs `@tensorflow/tfjs-core/dist/register_all_gradients`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';

/**
 * Makes sure tfjs-core's gradients are registered: imports `register_all_gradients` unless the host did.
 * The import is dynamic, at training time: that file is ES-module source with extensionless relative
 * imports, which vitest and bundlers load but plain Node cannot, and a static import would make this
 * package (and any CLI that loads its `register` entry) fail to load there. Throws
 * `GRADIENTS_UNAVAILABLE` when they cannot be loaded: import the module in the host (bundler entry,
 * vitest setup) before training.
 */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') !== undefined) return;
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  } catch (cause) {
    throw new UnbiasedError(
      'GRADIENTS_UNAVAILABLE',
      "tfjs-core's gradients are not registered and '@tensorflow/tfjs-core/dist/register_all_gradients' could not be loaded here (plain Node cannot load that ES-module source); import it in the host (bundler entry or vitest setup) before training",
      { field: 'gradients', cause },
    );
  }
  if (tf.getGradient('Sum') === undefined) {
    throw new UnbiasedError('GRADIENTS_UNAVAILABLE', 'register_all_gradients loaded but registered no gradients (two copies of tfjs-core?)', { field: 'gradients' });
  }
}

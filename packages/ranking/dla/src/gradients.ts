import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';

/**
 * Makes sure tfjs-core's gradient functions are registered before training (tfjs-core alone registers
 * none: "gradient function not found for Sum"). Imports `@tensorflow/tfjs-core/dist/register_all_gradients`
 * unless the host already did. The import is dynamic, at training time, rather than a static import of
 * the module: that file is ES module source with extensionless relative imports, which bundlers and
 * vitest load but plain Node cannot, and a static import would make the whole `register` entry fail to
 * load there. Throws `GRADIENTS_UNAVAILABLE` when the gradients cannot be loaded.
 */
export async function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') !== undefined) return;
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  } catch (cause) {
    throw new UnbiasedError(
      'GRADIENTS_UNAVAILABLE',
      "tfjs-core's gradients are not registered and '@tensorflow/tfjs-core/dist/register_all_gradients' could not be loaded here; import it in the host (bundler or vitest setup) before training",
      { field: 'gradients', cause },
    );
  }
  if (tf.getGradient('Sum') === undefined) {
    throw new UnbiasedError('GRADIENTS_UNAVAILABLE', 'register_all_gradients loaded but registered no gradients (two copies of tfjs-core?)', {
      field: 'gradients',
    });
  }
}

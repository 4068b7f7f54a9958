import * as tf from '@tensorflow/tfjs-core';
import { prepareGradientImport } from '#platform';
import { UnbiasedError } from '../errors.js';

let pending: Promise<void> | undefined;

/**
 * Registers tfjs's gradient functions (tfjs-core alone registers none: `tf.grad` fails with "gradient function
 * not found for Sum"). Call it before training with autodiff; it is idempotent and a no-op when gradients are
 * already registered (e.g. by `@tensorflow/tfjs` or an `import '@tensorflow/tfjs-core/dist/register_all_gradients'`).
 * On Node it installs a narrow module-resolution hook for tfjs-core's extension-less imports (Node >= 20.6).
 */
export function ensureGradients(): Promise<void> {
  if (tf.getGradient('Sum') !== undefined && tf.getGradient('Sum') !== null) return Promise.resolve();
  pending ??= (async () => {
    try {
      // On Node: a narrow resolve hook for tfjs-core's extension-less imports; nothing in a browser bundle.
      await prepareGradientImport();
      await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    } catch (cause) {
      pending = undefined;
      throw new UnbiasedError(
        'BACKEND_UNAVAILABLE',
        `could not register tfjs gradients: ${String((cause as Error)?.message ?? cause)}; import '@tensorflow/tfjs' or '@tensorflow/tfjs-core/dist/register_all_gradients' yourself`,
        { field: 'gradients', cause },
      );
    }
    if (!tf.getGradient('Sum')) {
      throw new UnbiasedError('BACKEND_UNAVAILABLE', 'tfjs gradients did not register (two unrelated copies of tfjs-core?)', { field: 'gradients' });
    }
  })();
  return pending;
}

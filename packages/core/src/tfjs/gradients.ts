import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

// tfjs-core's gradient registrations ship only as ES modules with extension-less relative imports, which
// bundlers and vitest resolve but Node's ESM loader does not. This resolve hook adds the '.js' for imports
// made from inside tfjs-core's dist folder, and nothing else.
const RESOLVE_HOOK = `export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    const fromTfjsCore = typeof context.parentURL === 'string' && context.parentURL.includes('/@tensorflow/tfjs-core/dist/');
    if (relative && fromTfjsCore && !/\\.[cm]?js$/.test(specifier)) return next(specifier + '.js', context);
    throw error;
  }
}`;

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
      if (isNode) {
        const { register } = (await import('node:module')) as { register?: (url: string) => void };
        if (typeof register !== 'function') {
          throw new Error('node:module.register is missing (Node >= 20.6 is required)');
        }
        register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
      }
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

import * as tf from '@tensorflow/tfjs-core';
import { checkSameVariables, mapNamed } from './tree.js';
import type { NamedTensors } from './types.js';

/** `p + u` for every variable (optax `apply_updates`); returns new tensors and disposes nothing. */
export function applyUpdates(params: NamedTensors, updates: NamedTensors): NamedTensors {
  checkSameVariables('updates', updates, 'parameters', params);
  return mapNamed(params, (p, name) => tf.add(p, updates[name] as tf.Tensor));
}

import * as tf from '@tensorflow/tfjs-core';

/**
 * Every `tf.Variable` alive in the tfjs engine, by name (tfjs keeps this registry on the engine; it has no
 * public accessor). A read-only view: do not add or delete entries.
 */
export function registeredVariables(): Readonly<Record<string, tf.Variable>> {
  return tf.engine().registeredVariables;
}

/** The live `tf.Variable` named `name`, or `undefined` when there is none (e.g. it was disposed). */
export function findVariable(name: string): tf.Variable | undefined {
  return tf.engine().registeredVariables[name];
}

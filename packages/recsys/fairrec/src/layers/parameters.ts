/**
 * Named trainable variables of a model. Every variable is a `tf.Variable` named `<prefix>/<path>`, so
 * optimizer state and gradients are keyed by name (never by position), and initial values come from the
 * generator folded by `<path>` only: two models built from the same generator start identical whatever
 * their prefixes.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@unbiased/core';
import { UnbiasedError } from '@unbiased/core/errors';

let instances = 0;

/** A fresh prefix for tf.Variable names (tfjs needs them unique among live variables). */
export function uniquePrefix(base: string): string {
  instances += 1;
  return `${base}-${instances}`;
}

/** A scope of named variables: `scope('news')` gives a child whose variables land in the same registry. */
export class ParameterStore {
  readonly prefix: string;
  readonly path: string;
  private readonly rng: Rng;
  private readonly registry: Map<string, tf.Variable>;

  constructor(prefix: string, rng: Rng, path = '', registry: Map<string, tf.Variable> = new Map()) {
    this.prefix = prefix;
    this.rng = rng;
    this.path = path;
    this.registry = registry;
  }

  /** A child scope `<path>/<name>`. */
  scope(name: string): ParameterStore {
    return new ParameterStore(this.prefix, this.rng, this.join(name), this.registry);
  }

  private join(name: string): string {
    return this.path === '' ? name : `${this.path}/${name}`;
  }

  private add(name: string, init: () => tf.Tensor, trainable = true): tf.Variable {
    const path = this.join(name);
    if (this.registry.has(path)) throw new UnbiasedError('DUPLICATE_REGISTRATION', `parameter "${path}" created twice`, { field: path });
    const variable = tf.tidy(() => tf.variable(init(), trainable, `${this.prefix}/${path}`));
    this.registry.set(path, variable);
    return variable;
  }

  /** A variable with entries N(0, std^2), drawn from the generator folded by the variable's path. */
  normal(name: string, shape: number[], std: number): tf.Variable {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = Float32Array.from(this.rng.fold(this.join(name)).normal(size, 0, std));
    return this.add(name, () => tf.tensor(values, shape, 'float32'));
  }

  /** A variable initialised from given values (e.g. pretrained word vectors). */
  fromValues(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(name, () => tf.tensor(values, shape, 'float32'));
  }

  /**
   * A frozen (non-trainable) variable holding given values, e.g. fixed news vectors: owned and disposed by
   * the store, never listed by {@link variables} / {@link ownVariables}, so no optimizer updates it.
   */
  constant(name: string, shape: number[], values: Float32Array): tf.Variable {
    return this.add(name, () => tf.tensor(values, shape, 'float32'), false);
  }

  /** A zero-initialised variable (biases). */
  zeros(name: string, shape: number[]): tf.Variable {
    return this.add(name, () => tf.zeros(shape));
  }

  /** Every trainable variable created through this store or any scope of it, keyed by tf.Variable name. */
  variables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const v of this.registry.values()) if (v.trainable) out[v.name] = v;
    return out;
  }

  /** Trainable variables whose path starts with `<path>/` of this scope (all of them for the root). */
  ownVariables(): Record<string, tf.Variable> {
    const out: Record<string, tf.Variable> = {};
    for (const [path, v] of this.registry) if (v.trainable && (this.path === '' || path === this.path || path.startsWith(`${this.path}/`))) out[v.name] = v;
    return out;
  }

  /** Disposes every variable of the store (the whole registry). */
  dispose(): void {
    for (const v of this.registry.values()) v.dispose();
    this.registry.clear();
  }
}

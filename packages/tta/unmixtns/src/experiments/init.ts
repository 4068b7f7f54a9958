import * as tfl from '@tensorflow/tfjs-layers';
import { checkChoice } from '@unbiased/core/errors';

/**
 * How the experiments' source models draw their initial weights.
 * - `'pytorch'`: PyTorch's default for `Conv1d`/`Conv2d`/`Linear` (`reset_parameters`: Kaiming-uniform with
 *   `a = √5` for the weights, which is `U(±1/√fan_in)`, and `U(±1/√fan_in)` for the biases), the default under
 *   which the released UnMix-TNS code (Tomar et al. 2024, ICLR) trains and evaluates its models.
 * - `'glorot'`: tfjs-layers' default (Glorot-uniform kernels, zero biases).
 */
export type ModelInit = 'pytorch' | 'glorot';

/** A tfjs-layers initializer (the class is not exported by name). */
export type LayerInitializer = ReturnType<typeof tfl.initializers.randomUniform>;

/** The inits {@link ModelInit} accepts. */
export const MODEL_INITS: readonly ModelInit[] = ['pytorch', 'glorot'];

/**
 * PyTorch's default bound for a layer's weights and biases, `1/√fan_in`, with `fan_in` = input channels × kernel
 * elements (input features for a dense layer). He et al. 2015, "Delving Deep into Rectifiers", section 2.2 defines
 * the Kaiming family; with gain `√(2/(1+a²))`, `a = √5`, the bound `gain·√(3/fan_in)` is `1/√fan_in`.
 */
export function pytorchInitBound(fanIn: number): number {
  return 1 / Math.sqrt(fanIn);
}

/**
 * Seeded kernel and bias initialisers for one layer under `init` (see {@link ModelInit}); `fanIn` is the layer's
 * input channels × kernel elements. Glorot leaves the bias at tfjs's default (zeros).
 */
export function layerInitializers(init: ModelInit, fanIn: number, seed: number): { kernelInitializer: LayerInitializer; biasInitializer?: LayerInitializer } {
  if (checkChoice('init', init, MODEL_INITS, 'pytorch') === 'glorot') return { kernelInitializer: tfl.initializers.glorotUniform({ seed }) };
  const bound = pytorchInitBound(fanIn);
  return {
    kernelInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed }),
    biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound, seed: seed + 7919 }),
  };
}

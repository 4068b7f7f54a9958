import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '@unbiased/core';
import { checkChoice, checkPositiveInteger, checkSeed, UnbiasedError } from '@unbiased/core/errors';
import { TestTimeBatchNormalization, UnMixTnsNormalization, type UnMixTnsOptions } from '../norm/unmixtns-layer.js';

/** What BatchNormalization layers become: UnMix-TNS, test-batch BN (TBN) or source BN (frozen running statistics). */
export type NormalizationKind = 'unmixtns' | 'test-batch' | 'source';

/** Options of {@link convertBatchNorm}. */
export interface ConvertBatchNormOptions extends Omit<UnMixTnsOptions, 'seed' | 'epsilon'> {
  /** Target normalisation. Default `unmixtns`. */
  to?: NormalizationKind;
  /** Names of the BatchNormalization layers to convert. Default: every one. A named layer that is not BN throws `NOT_BATCH_NORM`. */
  layers?: readonly string[];
  /** Variance epsilon. Default: each BatchNormalization layer's own epsilon (what it was trained with). */
  epsilon?: number;
  /**
   * Seed of the UnMix-TNS component noise. Default 0. Each converted layer gets its own stream, folded by its
   * position among the converted layers (not by its name: tfjs-layers names unnamed layers from a process-wide
   * counter, so a name-based stream would make the same seed give different components run to run).
   */
  seed?: number;
}

type JsonDict = Record<string, unknown>;

const BN_CLASS = 'BatchNormalization';

function isBatchNorm(layer: tfl.layers.Layer): boolean {
  return layer.getClassName() === BN_CLASS;
}

/** Weight of a BatchNormalization layer by its role (`gamma`, `beta`, `moving_mean`, `moving_variance`), if present. */
function bnWeight(layer: tfl.layers.Layer, role: string): tf.Tensor | undefined {
  const variable = layer.weights.find((w) => w.originalName.endsWith(`/${role}`) || w.originalName === role);
  return variable?.read();
}

/** The rank of a layer's (single) input, when known. */
function inputRank(layer: tfl.layers.Layer): number | undefined {
  try {
    const input = layer.input;
    return Array.isArray(input) ? input[0]?.shape.length : input.shape.length;
  } catch {
    return undefined;
  }
}

function checkConvertible(layer: tfl.layers.Layer): void {
  if (!isBatchNorm(layer)) {
    throw new UnbiasedError('NOT_BATCH_NORM', `layer "${layer.name}" is a ${layer.getClassName()}, not a BatchNormalization layer`, { field: layer.name });
  }
  const axis = (layer.getConfig() as { axis?: number | number[] }).axis;
  const rank = inputRank(layer);
  const last = rank === undefined ? -1 : rank - 1;
  if (!(axis === -1 || axis === last || (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === last)))) {
    throw new UnbiasedError('UNSUPPORTED_LAYOUT', `layer "${layer.name}" normalises axis ${JSON.stringify(axis)}; only channels-last BatchNormalization (axis -1) converts`, {
      field: layer.name,
    });
  }
}

/**
 * Converts a trained tfjs-layers model's BatchNormalization layers (channels last) to UnMix-TNS (Tomar et al.
 * 2024, "Un-Mixing Test-Time Normalization Statistics: Combatting Label Temporal Correlation", ICLR 2024,
 * section 3: "replace every BN layer"), test-batch BN or source BN, in one call. Returns a new, independent model
 * (Sequential or functional, the same topology and layer names; the input model is unchanged) whose other
 * layers carry copies of the trained weights, and whose converted layers take the BN layer's `gamma`, `beta`
 * (or 1 and 0 when the layer had none) and running statistics as source statistics; UnMix-TNS components are
 * initialised from them with the seeded noise (one stream per converted layer, by its position). Each UnMix-TNS layer adapts on every forward call; convert
 * again (or call `resetComponents()`) to restart from the source model.
 *
 * Throws `NOT_BATCH_NORM` when a layer named in `layers` is not BatchNormalization or the model has none,
 * `UNSUPPORTED_LAYOUT` for a channels-first BN, `INVALID_HYPERPARAMETER` for `components` ≤ 0.
 */
export async function convertBatchNorm(model: tfl.LayersModel, options: ConvertBatchNormOptions = {}): Promise<tfl.LayersModel> {
  const to = checkChoice('to', options.to, ['unmixtns', 'test-batch', 'source'] as const, 'unmixtns');
  const seed = checkSeed('seed', options.seed ?? 0);
  if (options.components !== undefined) checkPositiveInteger('components', options.components);
  const byName = new Map(model.layers.map((layer) => [layer.name, layer]));
  let selected: tfl.layers.Layer[];
  if (options.layers === undefined) {
    selected = model.layers.filter(isBatchNorm);
    if (selected.length === 0) {
      throw new UnbiasedError('NOT_BATCH_NORM', `model "${model.name}" has no BatchNormalization layer to convert`, { field: 'model' });
    }
  } else {
    selected = options.layers.map((name) => {
      const layer = byName.get(name);
      if (!layer) throw new UnbiasedError('INVALID_ARGUMENT', `model "${model.name}" has no layer named "${name}"`, { field: 'layers' });
      return layer;
    });
  }
  for (const layer of selected) checkConvertible(layer);
  const convert = new Set(selected.map((layer) => layer.name));
  // Position of each converted layer in the model's layer order: what the component noise stream is folded by.
  const position = new Map(model.layers.filter((layer) => convert.has(layer.name)).map((layer, i) => [layer.name, i]));

  const topology = model.toJSON(null, false) as JsonDict;
  const config = topology.config as JsonDict;
  const layerEntries = (Array.isArray(config) ? config : config.layers) as JsonDict[];
  for (const entry of layerEntries) {
    const layerConfig = entry.config as JsonDict;
    const name = layerConfig.name as string;
    if (!convert.has(name)) continue;
    const common: JsonDict = { name, trainable: layerConfig.trainable ?? true, dtype: layerConfig.dtype ?? 'float32' };
    if (layerConfig.batch_input_shape !== undefined) common.batch_input_shape = layerConfig.batch_input_shape;
    const epsilon = options.epsilon ?? (layerConfig.epsilon as number);
    if (to === 'unmixtns') {
      const layerSeed = Rng.fromSeed(seed).fold(`normalization-${position.get(name)}`).key[0];
      const unmix: JsonDict = {
        ...common,
        components: options.components ?? 16,
        epsilon,
        temperature: options.temperature ?? 0.07,
        bn_momentum: options.bnMomentum ?? 0.1,
        max_batch_size: options.maxBatchSize ?? 64,
        alpha: options.alpha ?? 0.5,
        seed: layerSeed,
      };
      if (options.batchSize !== undefined) unmix.batch_size = options.batchSize;
      entry.class_name = UnMixTnsNormalization.className;
      entry.config = unmix;
    } else {
      entry.class_name = TestTimeBatchNormalization.className;
      entry.config = { ...common, statistics: to === 'test-batch' ? 'batch' : 'source', epsilon };
    }
  }
  const converted = await tfl.models.modelFromJSON({ modelTopology: topology } as unknown as tfl.ModelAndWeightsConfig);
  for (const layer of converted.layers) {
    const original = byName.get(layer.name);
    if (!original) throw new UnbiasedError('BAD_STATE', `converted model lost layer "${layer.name}"`, { field: layer.name });
    if (!convert.has(layer.name)) {
      layer.setWeights(original.getWeights());
      continue;
    }
    tf.tidy(() => {
      const mean = bnWeight(original, 'moving_mean') as tf.Tensor;
      const variance = bnWeight(original, 'moving_variance') as tf.Tensor;
      const gamma = bnWeight(original, 'gamma') ?? tf.onesLike(mean);
      const beta = bnWeight(original, 'beta') ?? tf.zerosLike(mean);
      const rest = layer instanceof UnMixTnsNormalization ? layer.getWeights().slice(4) : [];
      layer.setWeights([gamma, beta, mean, variance, ...rest]);
    });
    if (layer instanceof UnMixTnsNormalization) layer.resetComponents();
  }
  return converted;
}

/** The converted normalisation layers of a model (UnMix-TNS and test-time BN), in layer order. */
export function normalizationLayers(model: tfl.LayersModel): (UnMixTnsNormalization | TestTimeBatchNormalization)[] {
  return model.layers.filter(
    (layer): layer is UnMixTnsNormalization | TestTimeBatchNormalization => layer instanceof UnMixTnsNormalization || layer instanceof TestTimeBatchNormalization,
  );
}

/**
 * The toy setting: the shipped model's metadata (unigram frequencies, toxicity head) turned into UDDIA's
 * signals, and the IO glue between tfjs's weights format and the fixture files.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import { loadTinyGpt, type TinyGpt } from '../model/tiny-gpt.js';
import { genderSignal } from '../uddia/gender.js';
import type { UddiaSignals } from '../uddia/step.js';
import type { ToxicityHead } from '../uddia/toxicity-head.js';
import { type WordClasses, wordClasses } from '../vocabulary/vocabulary.js';

export { type OccupationAssociation, occupationAssociation, type PairAssociation } from './association.js';

/** What the fixture stores next to the weights. */
export interface ToyMetadata {
  frequency: number[];
  toxicityHead: ToxicityHead;
  validationNll: number;
  headAccuracy: number;
  recipe: Record<string, number>;
}

/** A loaded toy: the model, UDDIA's signals (toxicity head and gender signal), the word classes. */
export interface Toy {
  model: TinyGpt;
  signals: UddiaSignals;
  classes: WordClasses;
  metadata: ToyMetadata;
}

/** The model.json of a fixture (tfjs's format: weights manifest, topology, metadata). */
export interface ModelJson {
  format: string;
  generatedBy: string;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  userDefinedMetadata?: Record<string, unknown>;
}

function checkMetadata(metadata: Record<string, unknown>, vocab: number): ToyMetadata {
  const m = metadata as Partial<ToyMetadata>;
  if (!Array.isArray(m.frequency) || m.frequency.length !== vocab || m.toxicityHead === undefined) {
    throw new UnbiasedError('BAD_INPUT', 'the model has no toy metadata (frequency per token and toxicityHead)', { field: 'userDefinedMetadata' });
  }
  return m as ToyMetadata;
}

/** The toy from a loaded model and its metadata: the gender signal is computed from the embeddings. */
export async function toyFromModel(model: TinyGpt, metadata: Record<string, unknown>): Promise<Toy> {
  const meta = checkMetadata(metadata, model.vocabSize);
  const classes = wordClasses(model.tokenizer);
  const pairs = classes.male.map((m, i) => [m, classes.female[i] as number] as const);
  const gender = await genderSignal(model.tokenEmbeddings, pairs, meta.frequency);
  return { model, signals: { toxicityHead: meta.toxicityHead, gender }, classes, metadata: meta };
}

/** Loads the toy from a fixture's model.json and weights (e.g. fetched in a browser, or read on Node). */
export async function toyFromFiles(json: ModelJson, weights: ArrayBuffer): Promise<Toy> {
  const manifest = json.weightsManifest?.[0];
  if (manifest === undefined) throw new UnbiasedError('BAD_INPUT', 'model.json has no weightsManifest', { field: 'weightsManifest' });
  const { model, metadata } = await loadTinyGpt(
    tf.io.fromMemory({
      modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      format: json.format,
      generatedBy: json.generatedBy,
      weightSpecs: manifest.weights,
      weightData: weights,
      ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata as Record<string, object> }),
    }),
  );
  return toyFromModel(model, metadata);
}

/** Splits tfjs model artifacts into a fixture's model.json (weights in `weightsFile`) and the weight bytes. */
export function fixtureFiles(artifacts: tf.io.ModelArtifacts, weightsFile: string): { json: ModelJson; weights: ArrayBuffer } {
  const data = artifacts.weightData;
  if (data === undefined || artifacts.weightSpecs === undefined) throw new UnbiasedError('BAD_INPUT', 'artifacts without weights', { field: 'weightData' });
  const weights = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return {
    json: {
      format: artifacts.format ?? '',
      generatedBy: artifacts.generatedBy ?? '',
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
      ...(artifacts.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: artifacts.userDefinedMetadata }),
    },
    weights,
  };
}

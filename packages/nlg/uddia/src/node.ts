// The only module of this package that imports node:fs: it reads and writes the fixture files. Browsers load
// the fixture with `toyFromFiles(await (await fetch(jsonUrl)).json(), await (await fetch(binUrl)).arrayBuffer())`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { saveTinyGpt, type TinyGpt, type TinyGptMetadata } from './model/tiny-gpt.js';
import { fixtureFiles, type ModelJson, type Toy, toyFromFiles } from './toy/toy.js';

export * from './index.js';

/** Directory of the shipped fixture (`fixtures/`, the same from src/ and dist/). */
export const FIXTURE_DIR: string = fileURLToPath(new URL('../fixtures/', import.meta.url));
/** File names of the shipped fixture. */
export const FIXTURE_JSON = 'uddia-lm.json';
export const FIXTURE_WEIGHTS = 'uddia-lm.weights.bin';

/** Reads a fixture (model.json + weights) from `dir` (default: the shipped one) and builds the toy (model, signals, word classes). */
export async function loadShippedToy(dir: string = FIXTURE_DIR): Promise<Toy> {
  const json = JSON.parse(readFileSync(join(dir, FIXTURE_JSON), 'utf8')) as ModelJson;
  const bytes = readFileSync(join(dir, (json.weightsManifest[0]?.paths[0] ?? FIXTURE_WEIGHTS)));
  return toyFromFiles(json, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** Writes `model` and `metadata` as a fixture into `dir` through a tfjs save handler. */
export async function writeFixture(model: TinyGpt, metadata: TinyGptMetadata, dir: string): Promise<void> {
  await saveTinyGpt(
    model,
    tf.io.withSaveHandler(async (artifacts) => {
      const { json, weights } = fixtureFiles(artifacts, FIXTURE_WEIGHTS);
      writeFileSync(join(dir, FIXTURE_JSON), `${JSON.stringify(json)}\n`);
      writeFileSync(join(dir, FIXTURE_WEIGHTS), new Uint8Array(weights));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
    metadata,
  );
}

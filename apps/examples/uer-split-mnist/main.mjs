#!/usr/bin/env node
// Online class-incremental learning on real MNIST digits (14x14) with experience replay: ER vs UER (Lin et
// al., "UER: A Heuristic Bias Addressing Approach for Online Continual Learning", ACM MM 2023). The stream
// shows tasks {0,1}, {2,3}, ..., {8,9} once, 10 examples at a time, with a 100-example reservoir buffer.
//   node main.mjs [train-per-class]  (default 300; the package's experiment uses more, over 5 seeds)
// Prints the final average accuracy, the average forgetting and how much the predictions favour the last task.
import { Rng, useBackend } from '@unbiased/core';
import {
  accuracyOf, averageForgetting, erLearner, mlpClassifier, recencyRatio, reservoirBuffer, runClassIncremental, uerLearner,
} from '@unbiased/continual-uer';
import { loadMnist14, mnistToFloat32, splitMnistStratified } from '@unbiased/data-mnist/node';

const trainPerClass = Number(process.argv[2] ?? 300);
await useBackend('wasm'); // or 'cpu', 'webgpu'
const { train, test } = splitMnistStratified(loadMnist14(), { seed: 0, trainPerClass, testPerClass: 100 });
const asData = (ds) => ({ x: mnistToFloat32(ds), y: ds.labels, dim: 196 });
const tasks = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]];
console.log(`Split-MNIST: ${train.n} training digits streamed once, ${test.n} test digits, buffer of 100`);

for (const [name, makeLearner] of [['ER', erLearner], ['UER', uerLearner]]) {
  const rng = Rng.fromSeed(1); // the same weights, buffer draws and stream order for both
  const model = mlpClassifier({ inputDim: 196, numClasses: 10, rng: rng.fold('model'), hidden: [100, 100] });
  const buffer = reservoirBuffer({ capacity: 100, dim: 196, rng: rng.fold('buffer') });
  const result = await runClassIncremental({ learner: makeLearner({ model, buffer }), train: asData(train), test: asData(test), tasks, rng: rng.fold('stream') });
  const accuracy = accuracyOf(result.finalPredictions, test.labels); // final average accuracy over the test set
  const forgetting = averageForgetting(result.accuracy);
  const recency = recencyRatio(result.finalPredictions, tasks[tasks.length - 1]);
  console.log(`${name.padEnd(4)} final average accuracy ${(100 * accuracy).toFixed(1)}%, forgetting ${(100 * forgetting).toFixed(1)} pp, predictions on the last task's classes ${(100 * recency).toFixed(0)}%`);
  model.dispose();
}

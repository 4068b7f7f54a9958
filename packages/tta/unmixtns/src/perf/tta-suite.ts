/**
 * Perf suite `tta`: one forward pass of a UnMix-TNS layer (K = 16) and of test-batch BN, against tfjs-layers'
 * BatchNormalization in inference mode, on a `[64, 16, 16, 32]` activation, per backend (ratios in one run).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { PerfCase, PerfInstance, PerfSuite } from '@unbiased/core';
import { testTimeBatchNormalization, unmixTnsNormalization } from '../norm/unmixtns-layer.js';

/** Activation shape the `tta` cases normalise: batch 64, 16×16 spatial, 32 channels. */
export const TTA_PERF_SHAPE = [64, 16, 16, 32] as const;

function layerCase(name: string, baseline: string | null, makeLayer: () => tfl.layers.Layer): PerfCase {
  const n = TTA_PERF_SHAPE.reduce((a, b) => a * b, 1);
  return {
    name,
    n,
    baseline,
    bytesPerStep: 2 * 4 * n,
    stepsPerSample: 4,
    async setup(): Promise<PerfInstance> {
      const holder = tfl.sequential({ layers: [makeLayer()] });
      const layer = holder.layers[0] as tfl.layers.Layer;
      const x = tf.randomNormal([...TTA_PERF_SHAPE], 0, 1, 'float32', 7);
      let y: tf.Tensor | undefined;
      return {
        step() {
          y?.dispose();
          y = tf.tidy(() => layer.apply(x) as tf.Tensor);
        },
        async fence() {
          if (!y) return;
          const probe = tf.slice(y, [0, 0, 0, 0], [1, 1, 1, 1]);
          await probe.data();
          probe.dispose();
        },
        dispose() {
          y?.dispose();
          x.dispose();
          holder.dispose();
        },
      };
    },
  };
}

const inputShape = TTA_PERF_SHAPE.slice(1) as number[];

/** The `tta` perf suite (see the module comment). */
export const ttaPerfSuite: PerfSuite = {
  id: 'tta',
  title: 'Test-time normalisation: UnMix-TNS and test-batch BN forward vs BatchNormalization forward',
  packageName: '@unbiased/tta-unmixtns',
  cases: () => [
    layerCase('batchnorm-forward', null, () => tfl.layers.batchNormalization({ inputShape })),
    layerCase('test-batch-bn-forward', 'batchnorm-forward', () => testTimeBatchNormalization({ inputShape })),
    layerCase('unmixtns-k16-forward', 'batchnorm-forward', () => unmixTnsNormalization({ components: 16, inputShape })),
  ],
};

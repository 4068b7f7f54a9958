// The conformance table must catch wrong optimizers. Each mutant below is SGD with Nesterov momentum
// (Sutskever et al. 2013, "On the importance of initialization and momentum in deep learning", eq. 3-4, in
// optax's `sgd(nesterov=True)` form: t <- mu t + g; u = -lr (g + mu t)) with one classic bug, checked against
// the correct float64 reference written here. The correct transform must pass; every mutant must fail with a
// message naming the step and the variable.
import * as tf from '@tensorflow/tfjs-core';
import {
  type AnyOptions,
  constantHyperparameter,
  type GradientTransformation,
  type NamedTensors,
  type OptimizerReference,
  type RegisteredOptimizer,
  referenceSize,
} from '@unbiased/core';
import { describe, expect, it } from 'vitest';
import { checkReferenceTrajectory, DEFAULT_TOLERANCE, makeProblem, type TableCase } from '../../packages/conformance/src/index.js';

type Bug = 'none' | 'negated' | 'flipped-nesterov' | 'momentum-average' | 'aliased-state';

/** SGD with Nesterov momentum as a transform (state `trace` keyed by variable name), with an optional bug. */
function nesterovSGD(learningRate: number, momentum: number, bug: Bug): GradientTransformation<{ trace: NamedTensors }> {
  return {
    name: `nesterov-${bug}`,
    init: (params) => ({ trace: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, tf.zerosLike(p)])) }),
    update(grads, state) {
      const trace: NamedTensors = {};
      const updates: NamedTensors = {};
      for (const k of Object.keys(grads).sort()) {
        const g = grads[k] as tf.Tensor;
        const previous = state.trace[k];
        if (!previous || previous.shape.join() !== g.shape.join()) throw new Error(`variable ${k}: no trace of this shape`);
        trace[k] = tf.tidy(() =>
          bug === 'momentum-average' ? tf.add(tf.mul(previous, momentum), tf.mul(g, 1 - momentum)) : tf.add(tf.mul(previous, momentum), g),
        );
        if (bug === 'aliased-state') {
          updates[k] = trace[k] as tf.Tensor;
          continue;
        }
        const sign = bug === 'flipped-nesterov' ? -momentum : momentum;
        updates[k] = tf.tidy(() => tf.mul(tf.add(g, tf.mul(trace[k] as tf.Tensor, sign)), bug === 'negated' ? learningRate : -learningRate));
      }
      for (const k of Object.keys(state.trace)) if (!(k in grads)) throw new Error(`gradient ${k} missing`);
      return { updates, state: { trace } };
    },
  };
}

const reference: OptimizerReference<AnyOptions, { trace: Float64Array }> = {
  source: 'Sutskever et al. 2013, eq. 3-4 (optax sgd(nesterov=True))',
  init: (shape) => ({ trace: new Float64Array(referenceSize(shape)) }),
  step(p, g, { trace }, _t, { options }) {
    const lr = constantHyperparameter('learningRate', options.learningRate);
    const mu = constantHyperparameter('momentum', options.momentum);
    for (let i = 0; i < p.length; i++) {
      trace[i] = mu * (trace[i] as number) + (g[i] as number);
      p[i] = (p[i] as number) - lr * ((g[i] as number) + mu * (trace[i] as number));
    }
  },
};

function tableCase(bug: Bug): TableCase {
  const defaults = { learningRate: 0.01, momentum: 0.9 };
  const entry: RegisteredOptimizer = {
    name: `nesterov-${bug}`,
    packageName: '(test)',
    description: 'SGD with Nesterov momentum, for the mutant tests',
    defaults,
    create: (options = {}) => nesterovSGD(Number(options.learningRate ?? 0.01), Number(options.momentum ?? 0.9), bug),
    reference,
    variants: [],
    invalid: [],
  };
  return { entry, label: entry.name, options: defaults, tolerance: DEFAULT_TOLERANCE };
}

describe('the conformance table catches wrong optimizers', () => {
  const problem = makeProblem();

  it('passes the correct Nesterov SGD', async () => {
    await checkReferenceTrajectory(tableCase('none'), problem);
  });

  const mutants: [Bug, RegExp][] = [
    ['negated', /^nesterov-negated step 1, variable [\w/]+\[\d+\]: expected .*, got /],
    ['flipped-nesterov', /^nesterov-flipped-nesterov step 1, variable [\w/]+\[\d+\]: expected .*, got /],
    // At step 1 the trace is (1 - mu) g instead of g: off from the first step.
    ['momentum-average', /^nesterov-momentum-average step 1, variable [\w/]+\[\d+\]: expected .*, got /],
    ['aliased-state', /^nesterov-aliased-state step 1, variable [\w/]+: the update is a tensor of the new state \(aliasing\)/],
  ];
  for (const [bug, message] of mutants) {
    it(`fails the ${bug} mutant naming step and variable`, async () => {
      await expect(checkReferenceTrajectory(tableCase(bug), problem)).rejects.toThrow(message);
    });
  }

});

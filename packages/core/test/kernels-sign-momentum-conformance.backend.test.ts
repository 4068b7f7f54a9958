// The shared optimizer conformance suite on the fused sign-momentum transform, for each kind and state dtype.
// Sign methods move every coordinate by +-lr, so a constant lr leaves an oscillation of about lr around the
// optimum of the toy quadratic; a decaying schedule lets all of them reach the suite's 5% loss ratio.
import { fusedSignMomentum, inverseSqrtSchedule } from '@unbiased/core';
import { optimizerConformance } from '@unbiased/core/conformance';

const learningRate = inverseSqrtSchedule({ init: 0.1 });

optimizerConformance('fusedSignMomentum: stosign', () => fusedSignMomentum({ kind: 'stosign', learningRate, seed: 7 }));
optimizerConformance('fusedSignMomentum: stosign, restored, per-tensor envelope, bf16 state', () =>
  fusedSignMomentum({ kind: 'stosign', learningRate, seed: 7, mode: 'restored', envelope: 'tensor', stateDtype: 'bf16' }),
);
optimizerConformance('fusedSignMomentum: signum', () => fusedSignMomentum({ kind: 'signum', learningRate, weightDecay: 1e-4 }));
optimizerConformance('fusedSignMomentum: lion, bf16 state', () => fusedSignMomentum({ kind: 'lion', learningRate, stateDtype: 'bf16' }));

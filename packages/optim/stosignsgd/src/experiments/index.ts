import type { Experiment } from '@unbiased/core';
import { fp8StatesExperiment } from './fp8-states.js';
import { nonsmoothExperiment } from './nonsmooth.js';
import { signConversionAblationExperiment } from './sign-conversion-ablation.js';
import { skewedNoiseExperiment } from './skewed-noise.js';

export { fp8StatesExperiment } from './fp8-states.js';
export { nonsmoothExperiment } from './nonsmooth.js';
export { signConversionAblationExperiment } from './sign-conversion-ablation.js';
export { skewedNoiseExperiment } from './skewed-noise.js';

/** The StoSignSGD experiments: experiments E1-E3 and the sign-conversion ablation. */
export const stoSignExperiments: Experiment[] = [nonsmoothExperiment, skewedNoiseExperiment, fp8StatesExperiment, signConversionAblationExperiment];

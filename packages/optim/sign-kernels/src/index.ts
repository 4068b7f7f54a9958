export {
  describeSignMomentumWasm,
  registerSignMomentumKernels,
  SIGN_MOMENTUM_KERNEL,
  type SignMomentumSource,
  type SignMomentumStagesOptions,
  signMomentumStages,
} from './sign-momentum.js';

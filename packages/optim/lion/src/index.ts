export { type LionOptions, lion } from './lion.js';
// Lion's direction is a core building block (like optax's scale_by_lion); re-exported for convenience.
export { type LionDirectionOptions, type LionDirectionState, lionDirection } from '@unbiased/core';

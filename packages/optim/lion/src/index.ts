export { checkLionImpl, type LionImpl } from './fused.js';
export { type LionOptions, lion } from './lion.js';
export { type LionDirectionOptions, type LionDirectionState, lionDirection } from './lion-direction.js';

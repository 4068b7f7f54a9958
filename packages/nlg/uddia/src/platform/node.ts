// The Node side of `#platform` (package.json `imports`): the shipped fixture read with node:fs (../node.ts).
// ./browser.ts is the same API for bundlers (browser condition), so nothing Node-only is reachable there.
export { loadShippedToy } from '../node.js';

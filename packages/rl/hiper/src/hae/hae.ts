/**
 * Hierarchical advantage estimation (HAE): HiPER, "Hierarchical Plan-Execute Reinforcement learning for LLM
 * agents" (Peng, Liu, Zhou, Fleming, Wang, Garcia, Hong, ICML 2026, arXiv 2602.16165), section 3, as the
 * released code computes it (`hiper_hae/core_hae.py`, `compute_hae_advantage`).
 */
import { UnbiasedError } from '@unbiased/core/errors';
import { checkColumn, checkFiniteColumns, type HierarchicalTurnColumns, hierarchicalColumns } from './columns.js';
import { type HAEOptions, type ResolvedHAEOptions, resolveHAEOptions } from './options.js';
import { standardizeStreams } from './standardize.js';
import { type HierarchicalTurn, layoutTurns, type TurnLayout } from './turns.js';

/** Per-turn outputs of {@link computeHAE}, in input order (one entry per turn). */
export interface HAEResult {
  /** A^L_t, the executor's advantage (every turn; standardised when `normAdv`). */
  advLow: Float64Array;
  /** R^L_t = A^L_t + V_L(t) before standardisation: the low head's regression target. */
  retLow: Float64Array;
  /** A^H_k on the boundary turn s_k of each segment, 0 on other turns (standardised over boundary turns). */
  advHigh: Float64Array;
  /** R^H_k = A^H_k + V_H(s_k) on boundary turns, 0 elsewhere. */
  retHigh: Float64Array;
  /** A^beta_t, the switch decision's advantage (every turn; standardised when `normAdv`). */
  advTerm: Float64Array;
  /** R^beta_t = G^beta_t, the switch head's target (every turn). */
  retTerm: Float64Array;
  /** 1 on boundary turns (the first turn of a trajectory and every SWITCH turn), else 0. */
  isBoundary: Uint8Array;
}

/**
 * HAE over a batch of turns, `(turns[]) -> advantages`, usable from any trainer. With segments
 * `[s_k, e_k]` cut at boundaries (turn 0 and every SWITCH), `d_k = e_k - s_k + 1`, `nd_t = 1 - done_t`:
 *
 * - executor (GAE within a segment, bootstrapped into the planner's value at the boundary, trace cut there):
 *   `delta^L_t = r_t + gamma nd_t v_next - V_L(t)`, `v_next = V_L(t+1)` inside the segment, `V_H(s_{k+1})` at
 *   its end, `bootstrapTruncated ? V_L(t) : 0` after the last turn; `A^L_t = delta^L_t + gamma lamTurn nd_t A^L_{t+1}`
 *   with `A^L_{e_k+1} = 0`.
 * - planner (SMDP GAE over segments): `delta^H_k = sum_j gamma^j r_{s_k+j} + gamma^{d_k} nd_{e_k} boot_k - V_H(s_k)`,
 *   `boot_k = V_H(s_{k+1})`, or `V_H(s_K)` on a truncated last segment when `bootstrapTruncated`, else 0;
 *   `A^H_k = delta^H_k + gamma^{d_k} lamSeg nd_{e_k} A^H_{k+1}`.
 * - switch: `G^beta_t = sum_{j=t}^{e_k} gamma^{j-t} r_j + gamma^{e_k-t+1} nd_{e_k} boot_k`, `A^beta_t = G^beta_t - V_beta(t)`
 *   (no baseline when `vTerm` is absent). The bootstrap follows the released code (the planner's `boot_k`,
 *   including `V_H(s_K)` on a truncated last segment), not only `V_H(s_{k+1})` as the text suggests.
 *   `termAdvantage: 'option-critic'` gives the paper's form `(q_t - beta_t)(V_H(s_t) - V_L(s_t, g_{t-1}))`, the
 *   option-critic termination advantage (Bacon, Harb, Precup, "The Option-Critic Architecture", AAAI 2017,
 *   section 3), with `q_t = 1` on boundary turns (the first turn's switch is forced, so mask it out if the
 *   policy does not sample it).
 *
 * Returns are the unstandardised `A + V`. With `normAdv` each stream is standardised separately (A^H over
 * boundary turns only); the switch advantage is never normalised by segment position, which would make the
 * baseline depend on the policy's own segment lengths. Turns may come in any order (grouped by `trajId`,
 * sorted by `turnIdx`); bad records throw `UnbiasedError` naming the trajectory and turn.
 */
export function computeHAE(turns: readonly HierarchicalTurn[], options?: HAEOptions): HAEResult {
  const resolved = resolveHAEOptions(options);
  const columns = hierarchicalColumns(turns);
  return haeOnLayout(columns, layoutTurns(columns.trajId, columns.turnIdx, columns.done), resolved);
}

/**
 * {@link computeHAE} on a structure-of-arrays batch (typed arrays, no per-turn objects): the fast path for
 * large batches. Same outputs, same checks (errors name `columns.<name>` and the trajectory and turn). Pass
 * `out` (a previous result of the same size) to write into its arrays instead of allocating new ones.
 */
export function computeHAEColumns(columns: HierarchicalTurnColumns, options?: HAEOptions, out?: HAEResult): HAEResult {
  const resolved = resolveHAEOptions(options);
  checkHierarchicalColumns(columns, resolved);
  return haeOnLayout(columns, layoutTurns(columns.trajId, columns.turnIdx, columns.done, 'columns'), resolved, out);
}

/** Output arrays for `n` turns: `out` itself when its arrays have length `n` (a trainer reusing buffers), else new ones. */
function outputs(n: number, out: HAEResult | undefined): HAEResult {
  if (out === undefined) {
    return {
      advLow: new Float64Array(n),
      retLow: new Float64Array(n),
      advHigh: new Float64Array(n),
      retHigh: new Float64Array(n),
      advTerm: new Float64Array(n),
      retTerm: new Float64Array(n),
      isBoundary: new Uint8Array(n),
    };
  }
  for (const [name, array] of Object.entries(out)) {
    if (!(array instanceof (name === 'isBoundary' ? Uint8Array : Float64Array)) || array.length !== n) {
      throw new UnbiasedError('SHAPE_MISMATCH', `out.${name} must be a ${name === 'isBoundary' ? 'Uint8Array' : 'Float64Array'} of ${n} entries (one per turn)`, {
        field: `out.${name}`,
      });
    }
  }
  return out;
}

function checkHierarchicalColumns(columns: HierarchicalTurnColumns, options: ResolvedHAEOptions): void {
  checkColumn(columns, 'turnIdx', columns.turnIdx, false);
  const values: [string, ArrayLike<number> | undefined][] = [
    ['reward', columns.reward],
    ['vLow', columns.vLow],
    ['vHigh', columns.vHigh],
  ];
  if (columns.vTerm !== undefined) values.push(['vTerm', columns.vTerm]);
  checkFiniteColumns(columns, values);
  for (const name of ['done', 'isSwitch'] as const) checkColumn(columns, name, columns[name], false);
  if (options.termAdvantage === 'option-critic' || columns.vLowPrev !== undefined) checkColumn(columns, 'vLowPrev', columns.vLowPrev, true);
  if (options.termAdvantage === 'option-critic' || columns.switchProb !== undefined) checkColumn(columns, 'switchProb', columns.switchProb, true);
}

function haeOnLayout(columns: HierarchicalTurnColumns, layout: TurnLayout, options: ResolvedHAEOptions, out?: HAEResult): HAEResult {
  const { reward, done, isSwitch, vLow, vHigh, vTerm } = columns;
  const { gamma, lamTurn, lamSeg, bootstrapTruncated, normAdv, termAdvantage, eps } = options;
  if (termAdvantage === 'option-critic') {
    // Throws the same named errors as the columnar path when the paper form's inputs are absent.
    checkColumn(columns, 'vLowPrev', columns.vLowPrev, true, 'turns');
    checkColumn(columns, 'switchProb', columns.switchProb, true, 'turns');
  }
  const result = outputs(reward.length, out);
  const { advLow, retLow, advHigh, retHigh, advTerm, retTerm, isBoundary } = result;
  const { order, starts } = layout;
  const trajectories = starts.length - 1;
  for (let j = 0; j < trajectories; j++) {
    const first = starts[j] as number;
    const last = (starts[j + 1] as number) - 1;
    const lastTurn = order[last] as number;
    const notDoneAtEnd = done[lastTurn] ? 0 : 1;
    let lastSegmentStart = last;
    while (lastSegmentStart > first && !isSwitch[order[lastSegmentStart] as number]) lastSegmentStart--;
    const truncatedBootHigh = bootstrapTruncated ? (vHigh[order[lastSegmentStart] as number] as number) : 0;
    let nextAdvLow = 0;
    let nextAdvHigh = 0;
    let switchReturn = 0;
    let discountToEnd = 1;
    let segmentNotDone = 1;
    for (let k = last; k >= first; k--) {
      const i = order[k] as number;
      const r = reward[i] as number;
      const valueLow = vLow[i] as number;
      const boundary = k === first || isSwitch[i] ? 1 : 0;
      isBoundary[i] = boundary;
      let lowNext: number;
      let lowCarry: number;
      let notDone: number;
      if (k === last) {
        notDone = notDoneAtEnd;
        lowNext = bootstrapTruncated ? valueLow : 0;
        lowCarry = 0;
        segmentNotDone = notDoneAtEnd;
        switchReturn = r + gamma * notDoneAtEnd * truncatedBootHigh;
        discountToEnd = gamma;
      } else {
        const next = order[k + 1] as number;
        notDone = 1;
        if (isSwitch[next]) {
          const bootHigh = vHigh[next] as number;
          lowNext = bootHigh;
          lowCarry = 0;
          segmentNotDone = 1;
          switchReturn = r + gamma * bootHigh;
          discountToEnd = gamma;
        } else {
          lowNext = vLow[next] as number;
          lowCarry = nextAdvLow;
          switchReturn = r + gamma * switchReturn;
          discountToEnd *= gamma;
        }
      }
      const aLow = r + gamma * notDone * lowNext - valueLow + gamma * lamTurn * notDone * lowCarry;
      advLow[i] = aLow;
      retLow[i] = aLow + valueLow;
      nextAdvLow = aLow;
      retTerm[i] = switchReturn;
      if (boundary) {
        const valueHigh = vHigh[i] as number;
        // G^beta at the segment start is R^seg_k + gamma^{d_k} nd boot_k, so delta^H_k = G^beta_{s_k} - V_H(s_k).
        const aHigh = switchReturn - valueHigh + discountToEnd * lamSeg * segmentNotDone * nextAdvHigh;
        advHigh[i] = aHigh;
        retHigh[i] = aHigh + valueHigh;
        nextAdvHigh = aHigh;
      } else {
        advHigh[i] = 0;
        retHigh[i] = 0;
      }
      if (termAdvantage === 'option-critic') {
        const q = boundary;
        const beta = (columns.switchProb as ArrayLike<number>)[i] as number;
        advTerm[i] = (q - beta) * ((vHigh[i] as number) - ((columns.vLowPrev as ArrayLike<number>)[i] as number));
      } else {
        advTerm[i] = vTerm ? switchReturn - (vTerm[i] as number) : switchReturn;
      }
    }
  }
  if (normAdv) {
    standardizeStreams(advLow, advHigh, isBoundary, advTerm, eps);
  }
  return result;
}

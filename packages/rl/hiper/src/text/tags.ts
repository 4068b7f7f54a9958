/**
 * Parsing HiPER's tagged responses, `<switch>KEEP|SWITCH</switch><subgoal>...</subgoal><action>...</action>`
 * (Peng et al. 2026, section 3; released `hiper_hae/hier_mask.py`), into the switch flag, the subgoal, the
 * action, the tag spans, and token masks for {@link tokenAdvantages}.
 */
import { describeValue, UnbiasedError } from '@unbiased/core/errors';

/** A half-open character span `[start, end)` of the response, tags included; null when the tag is absent. */
export type Span = readonly [number, number] | null;

/** What one response says. */
export interface ParsedResponse {
  /** SWITCH (a new subgoal); a missing, empty or `KEEP` switch block is KEEP. */
  isSwitch: boolean;
  /** The switch block's text (trimmed), '' when absent. */
  switchText: string;
  /** The subgoal text (trimmed), null when there is no subgoal block. */
  subgoal: string | null;
  /** The action text (trimmed): the action block, or the whole response when there is none. */
  action: string;
  /** Spans of the three blocks, tags included (the action span is the whole response when there is no block). */
  spans: { switch: Span; subgoal: Span; action: Span };
}

function block(text: string, tag: string, from = 0): { inner: string; span: readonly [number, number] } | null {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  const start = text.indexOf(open, from);
  if (start < 0) return null;
  const innerStart = start + open.length;
  const end = text.indexOf(close, innerStart);
  if (end < 0) return null;
  return { inner: text.slice(innerStart, end), span: [start, end + close.length] };
}

/**
 * Parses one response. Follows the released code: `isSwitch = switch text is not "KEEP"`, with a missing or
 * empty switch block counted as KEEP (so is any text that trims to "KEEP"); the first block of each kind
 * counts, the subgoal searched after the switch block and the action after the subgoal block when present;
 * with no `<action>` block the whole response is the action (span `[0, length)`).
 */
export function parseHierarchicalResponse(text: string): ParsedResponse {
  if (typeof text !== 'string') throw new UnbiasedError('BAD_INPUT', `response must be a string; got ${describeValue(text)}`, { field: 'response' });
  const switchBlock = block(text, 'switch');
  const switchText = switchBlock ? switchBlock.inner.trim() : '';
  const subgoalBlock = block(text, 'subgoal', switchBlock ? switchBlock.span[1] : 0);
  const actionBlock = block(text, 'action', subgoalBlock ? subgoalBlock.span[1] : switchBlock ? switchBlock.span[1] : 0);
  return {
    isSwitch: switchText !== '' && switchText !== 'KEEP',
    switchText,
    subgoal: subgoalBlock ? subgoalBlock.inner.trim() : null,
    action: actionBlock ? actionBlock.inner.trim() : text.trim(),
    spans: { switch: switchBlock?.span ?? null, subgoal: subgoalBlock?.span ?? null, action: actionBlock?.span ?? [0, text.length] },
  };
}

/**
 * Token masks of the three spans for a tokenisation given as character offsets (`offsets[i] = [start, end)`
 * of token i in the response): a token belongs to a span when its characters overlap it. Masks overlap only
 * when a token straddles two blocks, which {@link tokenAdvantages} rejects.
 */
export function spanTokenMasks(
  offsets: readonly (readonly [number, number])[],
  spans: ParsedResponse['spans'],
): { switchMask: Uint8Array; subgoalMask: Uint8Array; actionMask: Uint8Array } {
  const mask = (span: Span) => Uint8Array.from(offsets, ([start, end]) => (span !== null && start < span[1] && end > span[0] ? 1 : 0));
  return { switchMask: mask(spans.switch), subgoalMask: mask(spans.subgoal), actionMask: mask(spans.action) };
}

/** Whether `action` (trimmed) is one of the `admissible` actions (exact match, as ALFWorld's admissible commands). */
export function isAdmissible(action: string, admissible: readonly string[]): boolean {
  const wanted = action.trim();
  return admissible.some((a) => a.trim() === wanted);
}

import { describe, expect, it } from 'vitest';
import { isAdmissible, parseHierarchicalResponse, spanTokenMasks } from '../src/index.js';

describe('parseHierarchicalResponse', () => {
  it('reads the three blocks and their spans, tags included', () => {
    const text = '<switch>SWITCH</switch><subgoal> find the key </subgoal><action>take key</action>';
    const parsed = parseHierarchicalResponse(text);
    expect(parsed.isSwitch).toBe(true);
    expect(parsed.subgoal).toBe('find the key');
    expect(parsed.action).toBe('take key');
    expect(parsed.spans.switch).toEqual([0, 23]);
    expect(text.slice(...(parsed.spans.subgoal as [number, number]))).toBe('<subgoal> find the key </subgoal>');
    expect(text.slice(...(parsed.spans.action as [number, number]))).toBe('<action>take key</action>');
  });

  it('a missing or empty switch, or KEEP, is KEEP; any other text is a new subgoal', () => {
    expect(parseHierarchicalResponse('<subgoal>a</subgoal><action>b</action>').isSwitch).toBe(false);
    expect(parseHierarchicalResponse('<switch> </switch><action>b</action>').isSwitch).toBe(false);
    expect(parseHierarchicalResponse('<switch>KEEP</switch><action>b</action>').isSwitch).toBe(false);
    expect(parseHierarchicalResponse('<switch>replan</switch><action>b</action>').isSwitch).toBe(true);
  });

  it('without an action block the whole response is the action', () => {
    const parsed = parseHierarchicalResponse('<switch>KEEP</switch> go north');
    expect(parsed.action).toBe('<switch>KEEP</switch> go north');
    expect(parsed.spans.action).toEqual([0, 30]);
  });
});

describe('spanTokenMasks and isAdmissible', () => {
  it('marks tokens overlapping each span', () => {
    const text = '<switch>KEEP</switch><subgoal>g</subgoal><action>a</action>';
    const parsed = parseHierarchicalResponse(text);
    // Tokens: "<switch>KEEP</switch>" | "<subgoal>g" | "</subgoal>" | "<action>a</action>"
    const offsets = [
      [0, 21],
      [21, 31],
      [31, 41],
      [41, 59],
    ] as const;
    const masks = spanTokenMasks(offsets, parsed.spans);
    expect(Array.from(masks.switchMask)).toEqual([1, 0, 0, 0]);
    expect(Array.from(masks.subgoalMask)).toEqual([0, 1, 1, 0]);
    expect(Array.from(masks.actionMask)).toEqual([0, 0, 0, 1]);
  });

  it('checks actions against the admissible list exactly (after trimming)', () => {
    expect(isAdmissible(' open door 1 ', ['open door 1', 'go north'])).toBe(true);
    expect(isAdmissible('open the door', ['open door 1'])).toBe(false);
  });
});

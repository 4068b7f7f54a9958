/**
 * A tiny text task in the style of ALFWorld (Shridhar et al., "ALFWorld: Aligning Text and Embodied
 * Environments for Interactive Learning", ICLR 2021, section 2: text observations, a list of admissible
 * commands per state) as HiPER trains on it (Peng et al. 2026, section 5): fetch a key from a room and open
 * the door there, within a step budget stated in every observation. The task itself is ours.
 */
import type { Rng } from '@unbiased/core';
import { checkInteger, checkNumber, checkOptions, describeValue, UnbiasedError } from '@unbiased/core/errors';
import type { EnvironmentStep, MultiStepEnvironment, TimeAwareObservation } from '../env/environment.js';
import { isAdmissible } from './tags.js';

/** The largest step budget the vocabulary can state (number tokens `0` .. `16`). */
export const TEXT_KEY_DOOR_MAX_HORIZON = 16;

/**
 * The whole vocabulary of the task, one word per token: padding, the six tags, the switch words, verbs,
 * objects, observation words and the numbers 0..16 (the remaining budget).
 */
export const TEXT_KEY_DOOR_VOCABULARY: readonly string[] = [
  '<pad>',
  '<switch>',
  '</switch>',
  '<subgoal>',
  '</subgoal>',
  '<action>',
  '</action>',
  'KEEP',
  'SWITCH',
  'go',
  'take',
  'open',
  'room',
  'key',
  'door',
  'hall',
  'at',
  'holding',
  'nothing',
  'steps',
  ...Array.from({ length: TEXT_KEY_DOOR_MAX_HORIZON + 1 }, (_, i) => String(i)),
];

const TOKEN_ID = new Map(TEXT_KEY_DOOR_VOCABULARY.map((word, i) => [word, i]));

/** Token id of a vocabulary word; throws `BAD_INPUT` naming the word when it is not in the vocabulary. */
export function textKeyDoorTokenId(word: string): number {
  const id = TOKEN_ID.get(word);
  if (id === undefined) throw new UnbiasedError('BAD_INPUT', `word "${word}" is not in the text key-door vocabulary`, { field: 'word' });
  return id;
}

/** Whitespace tokenisation into vocabulary ids (the observation and response texts are space-separated words). */
export function tokenizeTextKeyDoor(text: string): Int32Array {
  if (typeof text !== 'string') throw new UnbiasedError('BAD_INPUT', `text must be a string; got ${describeValue(text)}`, { field: 'text' });
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  return Int32Array.from(words, textKeyDoorTokenId);
}

/** Words of the observation prompt: `at <hall|room> holding <nothing|key> steps <remaining>` (always 6 tokens). */
export const TEXT_KEY_DOOR_PROMPT_LENGTH = 6;

/** Options of {@link TextKeyDoorTask}. */
export interface TextKeyDoorOptions {
  /** Step budget H (default 10; at most 16, the numbers the vocabulary has). */
  horizon?: number;
  /** Probability that an episode starts in the room rather than the hall (default 0.5). */
  startInRoomProbability?: number;
  /** Reward of an inadmissible action, which is a no-op that uses up a step (default -0.1, HiPER's ALFWorld value). */
  invalidPenalty?: number;
}

/**
 * Fetch the key, open the door: the agent starts in the hall or the room (drawn from the `reset` rng), the key
 * lies in the room, the door is in the room and opens with the key. Subgoals: reach the room, take the key,
 * open the door (two or three steps). Admissible commands: in the hall `go room`; in the room `go hall` and
 * `take key` (until taken) or `open door` (with the key). An inadmissible command is a no-op with reward
 * `invalidPenalty` (`valid: false`); opening the door gives reward 1 and ends the episode (`done`); running
 * out of the budget ends it unsolved (`truncated`). Observations are text with the remaining budget:
 * `at room holding nothing steps 7`.
 */
export class TextKeyDoorTask implements MultiStepEnvironment<string, string> {
  readonly horizon: number;
  readonly startInRoomProbability: number;
  readonly invalidPenalty: number;
  private inRoom = false;
  private hasKey = false;
  private solved = false;
  private taken = 0;
  private started = false;

  constructor(options?: TextKeyDoorOptions) {
    const o = checkOptions(options);
    this.horizon = o.horizon === undefined ? 10 : checkInteger('horizon', o.horizon, { min: 1, max: TEXT_KEY_DOOR_MAX_HORIZON });
    this.startInRoomProbability = o.startInRoomProbability === undefined ? 0.5 : checkNumber('startInRoomProbability', o.startInRoomProbability, { min: 0, max: 1 });
    this.invalidPenalty = o.invalidPenalty === undefined ? -0.1 : checkNumber('invalidPenalty', o.invalidPenalty, { max: 0 });
  }

  /** The admissible commands in the current state (ALFWorld's admissible-command list). */
  admissibleActions(): string[] {
    if (!this.inRoom) return ['go room'];
    return ['go hall', this.hasKey ? 'open door' : 'take key'];
  }

  reset(rng: Rng): TimeAwareObservation<string> {
    if (!rng || typeof (rng as Rng).next !== 'function') throw new UnbiasedError('INVALID_ARGUMENT', `reset needs an Rng; got ${describeValue(rng)}`, { field: 'rng' });
    this.inRoom = rng.next() < this.startInRoomProbability;
    this.hasKey = false;
    this.solved = false;
    this.taken = 0;
    this.started = true;
    return this.observe();
  }

  step(action: string): EnvironmentStep<string> {
    if (typeof action !== 'string') throw new UnbiasedError('INVALID_ARGUMENT', `action must be a string; got ${describeValue(action)}`, { field: 'action' });
    if (!this.started || this.solved || this.taken >= this.horizon) {
      throw new UnbiasedError('BAD_STATE', 'action: the episode has ended (or not started); call reset() first', { field: 'action' });
    }
    const valid = isAdmissible(action, this.admissibleActions());
    this.taken++;
    if (valid) {
      const command = action.trim();
      if (command === 'go room') this.inRoom = true;
      else if (command === 'go hall') this.inRoom = false;
      else if (command === 'take key') this.hasKey = true;
      else if (command === 'open door') this.solved = true;
    }
    const done = this.solved;
    const truncated = !done && this.taken >= this.horizon;
    return { observation: this.observe(), reward: done ? 1 : valid ? 0 : this.invalidPenalty, done, truncated, valid };
  }

  private observe(): TimeAwareObservation<string> {
    const remaining = this.horizon - this.taken;
    const state = `at ${this.inRoom ? 'room' : 'hall'} holding ${this.hasKey ? 'key' : 'nothing'} steps ${remaining}`;
    return { state, stepsTaken: this.taken, stepsRemaining: remaining };
  }
}

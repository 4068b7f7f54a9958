import { UnbiasedError } from '@unbiased/core/errors';
import type { ProblemSpec } from '../problems/generated.js';
import type { Vote } from '../signs/majority-vote.js';
import type { ResolvedMajorityVote } from '../signs/worker-sign.js';

/** A worker process: its rank (which shard it holds) and an id that changes when it restarts. */
export interface Voter {
  rank: number;
  incarnation: string;
}

/** What every worker needs to join a run: the problem, the number of shards and the validated rule. */
export interface RunConfig {
  runId: string;
  workers: number;
  problem: ProblemSpec;
  rule: ResolvedMajorityVote;
}

/**
 * Aggregator -> workers, opening step `step`: "apply `previous` (the vote of step - 1 and who was counted),
 * then send your ballot for `step`, computed at the parameters of step - 1".
 */
export interface RoundMessage {
  type: 'round';
  step: number;
  previous: { step: number; vote: Vote; voters: Voter[] } | null;
}

/** Aggregator -> workers: training is over; `previous` is the last vote, to apply before leaving. */
export interface StopMessage {
  type: 'stop';
  step: number;
  previous: { step: number; vote: Vote; voters: Voter[] } | null;
}

/** Worker -> aggregator: packed signs for `step`, computed at the parameters of `step - 1`. */
export interface BallotMessage {
  type: 'ballot';
  step: number;
  rank: number;
  incarnation: string;
  words: Uint32Array;
}

/** Worker -> aggregator: the worker cannot vote in `step` (its parameters are not at step - 1); it stays live. */
export interface AbstainMessage {
  type: 'abstain';
  step: number;
  rank: number;
  incarnation: string;
  reason: string;
}

/** Worker -> aggregator: the worker (re)joined; it is expected from the next round on. */
export interface HelloMessage {
  type: 'hello';
  rank: number;
  incarnation: string;
}

export type ProtocolMessage = RoundMessage | StopMessage | BallotMessage | AbstainMessage | HelloMessage;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Binary form of a message for byte transports (NATS): a uint32 header length, the JSON header, zero padding to
 * a multiple of 4, then the bit arrays as little-endian uint32 words (`words` of a ballot; `positive` then
 * `negative` of a vote). A ballot of n signs is 4 ceil(n / 32) bytes plus a header of about 80.
 */
export function encodeMessage(message: ProtocolMessage): Uint8Array {
  const arrays: Uint32Array[] = [];
  let header: unknown;
  if (message.type === 'ballot') {
    const { words, ...rest } = message;
    arrays.push(words);
    header = { ...rest, lengths: [words.length] };
  } else if ((message.type === 'round' || message.type === 'stop') && message.previous) {
    const { vote, ...previous } = message.previous;
    arrays.push(vote.positive, vote.negative);
    header = { ...message, previous, lengths: [vote.positive.length, vote.negative.length] };
  } else {
    header = { ...message, lengths: [] };
  }
  const json = encoder.encode(JSON.stringify(header));
  const offset = 4 + ((json.length + 3) & ~3);
  const total = offset + arrays.reduce((s, a) => s + 4 * a.length, 0);
  const bytes = new Uint8Array(total);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 4);
  let at = offset;
  for (const a of arrays) {
    bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return bytes;
}

/** Inverse of {@link encodeMessage}; a malformed message throws `BAD_MESSAGE`. */
export function decodeMessage(bytes: Uint8Array): ProtocolMessage {
  try {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const length = view.getUint32(0, true);
    const header = JSON.parse(decoder.decode(bytes.subarray(4, 4 + length))) as ProtocolMessage & { lengths: number[]; previous?: { vote?: Vote } };
    let at = 4 + ((length + 3) & ~3);
    const arrays = header.lengths.map((words) => {
      const copy = new Uint32Array(words);
      new Uint8Array(copy.buffer).set(bytes.subarray(at, at + 4 * words));
      at += 4 * words;
      return copy;
    });
    if (at !== bytes.length) throw new Error(`expected ${at} bytes, got ${bytes.length}`);
    const { lengths: _lengths, ...message } = header;
    if (message.type === 'ballot') return { ...message, words: arrays[0] as Uint32Array };
    if ((message.type === 'round' || message.type === 'stop') && message.previous) {
      return { ...message, previous: { ...message.previous, vote: { positive: arrays[0] as Uint32Array, negative: arrays[1] as Uint32Array } } };
    }
    return message as ProtocolMessage;
  } catch (error) {
    throw new UnbiasedError('BAD_MESSAGE', `not a dist-sign protocol message: ${(error as Error).message}`, { field: 'message', cause: error });
  }
}

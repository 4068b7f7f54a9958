import { createShard, type Shard } from '../problems/generated.js';
import { wordsFor } from '../signs/pack.js';
import { type SignRule, type SignState, signBallot, signRuleFor } from '../signs/worker-sign.js';
import type { RunConfig } from '../protocol/messages.js';

/** One thread task: rank `rank`'s ballot for `step`, on shared parameters and shared momentum buffers. */
export interface ThreadTask {
  config: RunConfig;
  rank: number;
  step: number;
  /** Which of the rank's two state buffers holds its current momentum (the other receives the new one). */
  current: 0 | 1;
  /** float32 parameters of step - 1 (read only here; the main thread applies votes). */
  params: SharedArrayBuffer;
  /** float32 [m0 | S0 | m1 | S1], 4 n values. */
  state: SharedArrayBuffer;
  /** Test hook: the thread dies (an uncaught error ends it) in the middle of this task, after its gradient. */
  exitMidStep?: boolean;
}

const shards = new Map<string, { shard: Shard; rule: SignRule; gradient: Float32Array }>();

/** Runs a {@link ThreadTask} (in a worker thread, or inline): returns the packed ballot. */
export function runThreadTask(task: ThreadTask): Uint32Array | Promise<never> {
  const key = `${task.config.runId}/${task.rank}`;
  let entry = shards.get(key);
  if (!entry) {
    const shard = createShard(task.config.problem, task.rank, task.config.workers);
    entry = { shard, rule: signRuleFor(task.config.rule, task.rank), gradient: new Float32Array(shard.dimension) };
    shards.set(key, entry);
  }
  const n = entry.shard.dimension;
  const params = new Float32Array(task.params);
  const view = (i: number): Float32Array => new Float32Array(task.state, 4 * n * i, n);
  const buffers: SignState[] = [
    { momentum: view(0), envelope: view(1) },
    { momentum: view(2), envelope: view(3) },
  ];
  entry.shard.gradient(params, entry.gradient, task.step);
  if (task.exitMidStep) {
    setImmediate(() => {
      throw new Error(`worker of rank ${task.rank} died in the middle of step ${task.step} (test hook)`);
    });
    return new Promise<never>(() => undefined);
  }
  const current = buffers[task.current] as SignState;
  const next = buffers[1 - task.current] as SignState;
  return signBallot(entry.gradient, current, next, task.step, entry.rule, new Uint32Array(wordsFor(n)));
}

export { type AggregatorOptions, type AggregatorTransport, Membership, type RoundResult, runAggregator, type StepRecord } from './protocol/aggregator.js';
export {
  type AbstainMessage,
  type BallotMessage,
  decodeMessage,
  encodeMessage,
  type HelloMessage,
  type ProtocolMessage,
  type RoundMessage,
  type RunConfig,
  type StopMessage,
  type Voter,
} from './protocol/messages.js';
export { type SimulateOptions, simulateMajorityVote } from './protocol/simulate.js';
export { SignWorker } from './protocol/worker.js';
export { connectNats, RunStore, runNames } from './nats/connection.js';
export { NatsAggregator, type NatsTrainingOptions, trainOverNats } from './nats/nats-aggregator.js';
export { type NatsWorkerOptions, runNatsWorker } from './nats/nats-worker.js';
export { type MajorityVoteOptions, type ResolvedMajorityVote, resolveMajorityVote } from './options.js';
export { checkProblem, createShard, type ProblemSpec, type Shard } from './problems/generated.js';
export { applyVote } from './signs/apply-vote.js';
export { majorityVote, type Vote, voteAt } from './signs/majority-vote.js';
export { packSigns, unpackSigns, wordsFor } from './signs/pack.js';
export { PARAMETER_NAME, type SignRule, type SignState, signBallot, signRuleFor, workerNoiseKey, zeroSignState } from './signs/worker-sign.js';
export { ThreadCluster, type ThreadTrainingOptions, type TrainingResult, trainWithThreads } from './threads/thread-cluster.js';
export { runThreadTask, type ThreadTask } from './threads/thread-task.js';
export { findNatsServer, type LocalNatsServer, startLocalNatsServer } from './nats/local-server.js';
export { type SpawnWorkerOptions, spawnNatsWorker } from './nats/spawn-worker.js';
export { DIST_PERF_SIZES, DIST_PERF_SNAPSHOT_EVERY, DIST_PERF_WORKERS, distSignPerfSuite, majorityVoteBytesPerStep } from './perf.js';
export { type WorkerEntry, workerEntryPath } from './worker-files.js';
export { majorityVoteExperiment } from './experiments/majority-vote.js';

import type { Experiment, ExperimentContext, ExperimentResult } from '@unbiased/core';
import { createShard, type ProblemSpec } from '../problems/generated.js';
import { simulateMajorityVote } from '../protocol/simulate.js';

/**
 * Bernstein et al. 2019 ("signSGD with Majority Vote is Communication Efficient and Fault Tolerant", ICLR):
 * majority vote over M workers converges where one worker's signSGD is held back by its gradient noise (§3,
 * Theorem 1: the vote's error falls with M), and it still converges when fewer than half of the workers are
 * blind adversaries that invert their signs (§4, Theorem 2). Here: the `noisy-quadratic` problem, whose workers
 * draw i.i.d. Gaussian gradient noise (the paper's setting: every worker samples stochastic gradients of the
 * same objective), signSGD with majority vote (beta1 = 0, as analysed) run in one process
 * (`simulateMajorityVote`, bit-identical to the threaded and NATS runs): M = 1 vs M = 7 honest vs M = 7 with 3
 * inverting workers, same steps and learning rate. (With fixed, heterogeneous data shards instead, the
 * theorem's assumption fails and inverting workers can win: see the package README.)
 */
export const majorityVoteExperiment: Experiment = {
  id: 'distributed-majority-vote',
  title: 'signSGD with majority vote: more workers help, and 3 of 7 inverting workers do not stop it',
  packageName: '@unbiased/distributed-sign',
  paper: {
    title: 'signSGD with Majority Vote is Communication Efficient and Fault Tolerant',
    year: 2019,
    claim:
      'With i.i.d. stochastic gradients, majority vote over 7 workers reaches a lower loss than one worker in the same steps, and with 3 of the 7 inverting their signs it still more than halves the initial loss.',
    url: 'https://arxiv.org/abs/1810.05291',
  },
  async run(context: ExperimentContext): Promise<ExperimentResult> {
    const full = context.scale === 'full';
    const dimension = full ? 10_000 : 200;
    const steps = 1_000; // the same step budget at both scales: the smoke run only shrinks the dimension
    const problem: ProblemSpec = { kind: 'noisy-quadratic', dimension, seed: context.seed, noise: 2 };
    const options = { learningRate: 0.005, beta1: 0 };
    const initial = createShard(problem, 0, 7).loss(new Float32Array(dimension));
    const lossOf = (params: Float32Array): number => createShard(problem, 0, 7).loss(params);
    const runs = [
      { name: '1 worker', workers: 1, adversaries: [] as number[] },
      { name: '7 workers, majority vote', workers: 7, adversaries: [] as number[] },
      { name: '7 workers, 3 inverting', workers: 7, adversaries: [4, 5, 6] },
    ];
    const curves: { name: string; x: number[]; y: number[] }[] = [];
    const finals: number[] = [];
    for (const [i, run] of runs.entries()) {
      context.progress(i / runs.length, run.name);
      const single = simulateMajorityVote({ ...options, problem: { ...problem }, workers: run.workers, steps, adversaries: run.adversaries });
      const finalLoss = lossOf(single.params);
      finals.push(finalLoss);
      const every = Math.max(1, Math.floor(steps / 40));
      const x: number[] = [];
      const y: number[] = [];
      if (run.workers === 7) {
        single.losses.forEach((l, t) => {
          if ((t + 1) % every === 0) {
            x.push(t + 1);
            y.push(l);
          }
        });
        curves.push({ name: run.name, x, y });
      }
    }
    context.progress(1);
    const [one, seven, adversarial] = finals as [number, number, number];
    const moreWorkersHelp = seven < one;
    const tolerant = adversarial < initial / 2;
    const failing = [...(moreWorkersHelp ? [] : ['7 honest workers did not beat 1 worker']), ...(tolerant ? [] : ['3 of 7 inverting: loss not halved'])];
    return {
      metrics: { initial_loss: initial, final_loss_1_worker: one, final_loss_7_workers: seven, final_loss_7_workers_3_inverting: adversarial },
      claim: {
        text: `Final loss (full problem, initial ${initial.toFixed(3)}): 1 worker ${one.toFixed(4)}, 7 workers ${seven.toFixed(4)}, 7 with 3 inverting ${adversarial.toFixed(4)}; holds if 7 < 1 and the inverted run ends below half the initial loss.`,
        holds: moreWorkersHelp && tolerant,
        status: moreWorkersHelp && tolerant ? 'holds' : moreWorkersHelp || tolerant ? 'partial' : 'fails',
        ...(failing.length ? { failing } : {}),
      },
      table: { columns: ['run', 'final loss'], rows: runs.map((r, i) => [r.name, Number((finals[i] as number).toPrecision(5))]) },
      plots: [{ id: 'loss', title: 'Loss of majority vote (7 workers)', xLabel: 'step', yLabel: 'loss (full problem)', series: curves }],
    };
  },
};

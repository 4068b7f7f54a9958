import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PerfPeer, type PerfSuite, useBackend } from '@unbiased/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.js';
import { peersText } from '../src/commands/perf.js';
import { runPerfSuite } from '../src/perf/harness.js';
import { type PeerOptions, startPeers } from '../src/perf/peers.js';

// The runner is tested with fake peers written in JavaScript (fixtures/peers/*.cjs, run by this Node), so the
// tests need neither Python nor numpy. No test asserts a time: the fake peer reports fixed samples.

const fixtures = fileURLToPath(new URL('./fixtures/peers/', import.meta.url));
const options: PeerOptions = { python: process.execPath, scriptPath: (script) => join(fixtures, `${script}.cjs`) };
let dir: string;
let log: string;

beforeAll(async () => {
  await useBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'unbiased-peers-test-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function suiteWith(peers: PerfPeer[]): PerfSuite {
  log = join(dir, `log-${Math.random().toString(36).slice(2)}.txt`);
  const oursCase = (name: string) => ({
    name,
    n: 1,
    baseline: null,
    async setup() {
      return {
        step() {
          appendFileSync(log, `ours ${name}\n`);
        },
        async fence() {},
        dispose() {},
      };
    },
  });
  return { id: 'fake-suite', title: 'fake', packageName: '@unbiased/bench', cases: () => [oursCase('a, 1,000 lists'), oursCase('b')], peers };
}

async function runWithPeers(suite: PerfSuite, repeats = 5) {
  const context = { backend: 'cpu', size: 1 };
  const session = await startPeers(suite, context, options);
  const ours = await runPerfSuite(suite, context, { repeats, warmup: 2, onRound: (round) => session.round(round) });
  return { ours, peers: await session.finish(ours) };
}

describe('perf peers: the runner', () => {
  it('alternates our rounds with one peer run each, and reports medians, ratios and values', async () => {
    const suite = suiteWith([
      {
        script: 'fake_ok',
        cases: { 'case-a': 'a, 1,000 lists' },
        install: 'pip install nothing',
        args: () => ['--log', log],
        value: (id) => (id === 'case-a' ? 0.25 + 2 ** -40 : undefined),
      },
    ]);
    const { ours, peers } = await runWithPeers(suite);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    // warm-up (2 steps per case), then 5 rounds: ours a, ours b, peer.
    const rounds = lines.slice(4);
    expect(rounds).toEqual(Array.from({ length: 5 }, () => ['ours a, 1,000 lists', 'ours b', 'peer']).flat());
    expect(peers).toHaveLength(1);
    const [peer] = peers;
    expect(peer?.status).toBe('ok');
    expect(peer?.peer).toBe('fake 1.0');
    expect(peer?.load.before).toHaveLength(3);
    expect(peer?.load.cpus).toBeGreaterThan(0);
    const [entry] = peer?.cases ?? [];
    // samples 2, 3, 2, 3, 2 (the fake alternates) -> median 2
    expect(entry?.peer_ms).toEqual([2, 3, 2, 3, 2]);
    expect(entry?.peer_median_ms).toBe(2);
    const oursMedian = ours.cases.find((c) => c.name === 'a, 1,000 lists')?.median_ms as number;
    expect(entry?.ours_median_ms).toBe(oursMedian);
    expect(entry?.ratio).toBe(oursMedian / 2);
    expect(entry?.ours_value).toBe(0.25 + 2 ** -40);
    expect(entry?.peer_value).toBe(0.25);
    expect(entry?.value_abs_diff).toBe(2 ** -40);
    expect(peersText(peers)).toContain('fake-suite on cpu vs fake 1.0 [ok]');
  });

  it('a peer whose import fails (exit 3) is missing, with its message and pip command, and is not run again', async () => {
    const { peers } = await runWithPeers(suiteWith([{ script: 'fake_missing', cases: { x: 'b' }, install: 'pip install numpy', args: () => ['--log', log] }]));
    expect(readFileSync(log, 'utf8').split('\n').filter((line) => line === 'missing-peer')).toHaveLength(1);
    const [peer] = peers;
    expect(peer?.status).toBe('missing');
    expect(peer?.message).toContain("cannot import numpy (No module named 'numpy')");
    expect(peer?.message).toContain('python3 -m pip install numpy');
    expect(peer?.cases[0]?.peer_median_ms).toBeNull();
    expect(peer?.cases[0]?.ratio).toBeNull();
    expect(peersText(peers)).toContain('[missing]');
  });

  it('python3 not found and a script not found are missing, naming what to install', async () => {
    const context = { backend: 'cpu', size: 1 };
    const suite = suiteWith([{ script: 'fake_ok', cases: { x: 'b' }, install: 'pip install numpy' }]);
    const noPython = await startPeers(suite, context, { ...options, python: join(dir, 'no-such-python3') });
    await noPython.round(0);
    const [peer] = await noPython.finish({ suite: suite.id, backend: 'cpu', cases: [] });
    expect(peer?.status).toBe('missing');
    expect(peer?.message).toContain('not found');
    expect(peer?.message).toContain('pip install numpy');

    const noScript = await startPeers(suiteWith([{ script: 'no_such_peer', cases: { x: 'b' }, install: 'pip install numpy' }]), context, options);
    await noScript.round(0);
    const [missing] = await noScript.finish({ suite: suite.id, backend: 'cpu', cases: [] });
    expect(missing?.status).toBe('missing');
    expect(missing?.message).toContain('no_such_peer.cjs not found');
  });

  it('a peer that crashes or prints no JSON has failed, with its stderr', async () => {
    const { peers } = await runWithPeers(
      suiteWith([
        { script: 'fake_broken', cases: { x: 'b' }, install: 'pip install numpy' },
        { script: 'fake_garbled', cases: { y: 'b' }, install: 'pip install numpy' },
      ]),
    );
    expect(peers.map((p) => p.status)).toEqual(['failed', 'failed']);
    expect(peers[0]?.message).toContain('exited with 1');
    expect(peers[0]?.message).toContain('ValueError: something broke');
    expect(peers[1]?.message).toContain('not one JSON object');
  });

  it('unbiased perf --peers parses', () => {
    expect(parseCommandLine(['perf', 'ranking-metrics', '--peers'])).toMatchObject({ command: 'perf', peers: true });
    expect(parseCommandLine(['perf', 'ranking-metrics'])).toMatchObject({ peers: false });
  });
});

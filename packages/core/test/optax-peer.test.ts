import { describe, expect, it } from 'vitest';
import { OPTAX_PEER_LABELS, optaxPeer, optaxPeers } from '../src/perf/optax-peer.js';
import { optimizersPerfSuite } from '../src/perf/optimizers-suite.js';
import { transformsPerfSuite } from '../src/perf/transforms-suite.js';

// The optimizer suites declare optax twice: on all cores (as users run it) and on one thread (the script pins
// itself to one CPU), so one `--peers` run reports both ratios.
describe('optax peers of the optimizer perf suites', () => {
  const context = { backend: 'wasm', size: 4096 };

  it('optaxPeers gives the all-cores peer, then the one-thread peer, with the same cases', async () => {
    const [all, one] = optaxPeers(['adamw']);
    expect(all?.script).toBe('optax_optimizers');
    expect(one?.script).toBe('optax_optimizers');
    expect(await all?.args?.(context)).toEqual(['--size', '4096']);
    expect(await one?.args?.(context)).toEqual(['--size', '4096', '--threads', '1']);
    expect(Object.keys(all?.cases ?? {})).toEqual(['adamw, 1 variable', 'adamw, 512 variables']);
    expect(one?.cases).toEqual(all?.cases);
  });

  it('optaxPeer defaults to all cores (no --threads argument)', async () => {
    expect(await optaxPeer(['lion [impl=fused]']).args?.(context)).toEqual(['--size', '4096']);
  });

  it('both suites run both peers', async () => {
    for (const suite of [optimizersPerfSuite, transformsPerfSuite]) {
      const peers = suite.peers ?? [];
      expect(peers).toHaveLength(2);
      expect(await Promise.all(peers.map((p) => p.args?.(context)))).toEqual([
        ['--size', '4096'],
        ['--size', '4096', '--threads', '1'],
      ]);
    }
    expect(Object.keys(optimizersPerfSuite.peers?.[1]?.cases ?? {})).toHaveLength(2 * OPTAX_PEER_LABELS.length);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError } from '../src/args.js';
import { main } from '../src/cli.js';
import { bufferIo } from './helpers.js';

async function run(argv: string[]) {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('command line', () => {
  it.each([
    [[]],
    [['frobnicate']],
    [['--frobnicate']],
    [['list', '--frobnicate']],
    [['backends', 'extra']],
    [['reproduce']],
    [['reproduce', '--all', '--scale', 'huge']],
    [['reproduce', '--all', '--seed', '-1']],
    [['reproduce', '--all', '--seed', '1.5']],
    [['reproduce', '--all', '--seed', 'abc']],
    [['reproduce', '--all', '--seed', String(2 ** 32)]],
    [['reproduce', '--all', '--seed']],
    [['reproduce', '--all', '--seeds', '3-1']],
    [['reproduce', '--all', '--seeds', '0-200']],
    [['reproduce', '--all', '--seeds', '1,,2']],
    [['reproduce', '--all', '--seeds', 'a-b']],
    [['reproduce', '--all', '--seeds', '0-2', '--seed', '1']],
    [['reproduce', 'some-id', '--all']],
    [['reproduce', 'no-such-experiment-anywhere']],
    [['perf']],
    [['perf', '--all', '--repeats', '3']],
    [['perf', '--all', '--size', '0']],
    [['perf', 'no-such-suite-anywhere']],
    [['help', 'frobnicate']],
  ])('%j is a usage error: exit 2, usage on stderr, nothing on stdout', async (argv) => {
    const { code, out, err } = await run(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^unbiased: /);
    expect(err).toMatch(/Usage:/);
  });

  it('names the unknown experiment and the registered ones', async () => {
    const { err } = await run(['reproduce', 'no-such-experiment-anywhere']);
    expect(err).toContain('unknown experiment "no-such-experiment-anywhere"; registered:');
  });

  it('rejects an unknown backend with the valid names, exit 2', async () => {
    for (const command of [['reproduce', '--all'], ['perf', '--all']]) {
      const { code, err } = await run([...command, '--backend', 'cuda']);
      expect(code).toBe(2);
      expect(err).toContain('unknown backend "cuda"; valid: cpu, wasm, webgpu, auto, all');
    }
  });

  it('prints help on stdout with exit 0', async () => {
    const general = await run(['--help']);
    expect(general.code).toBe(0);
    expect(general.out).toContain('unbiased reproduce <id...|--all>');
    expect(general.out).toContain('reports/');
    const reproduce = await run(['help', 'reproduce']);
    expect(reproduce.code).toBe(0);
    expect(reproduce.out).toContain('--scale S');
    const perf = await run(['perf', '--help']);
    expect(perf.code).toBe(0);
    expect(perf.out).toContain('--repeats N');
  });

  it('parses defaults and values', () => {
    expect(parseCommandLine(['reproduce', 'a', 'b', 'a'])).toEqual({
      command: 'reproduce',
      ids: ['a', 'b'],
      backend: 'cpu',
      seed: 0,
      seeds: [0],
      seedsGiven: false,
      scale: 'smoke',
      json: false,
      verbose: false,
      out: undefined,
      reportOnly: false,
      jobs: 1,
    });
    expect(parseCommandLine(['perf', '--all', '--backend', 'all', '--size', '1024', '--repeats', '9', '--json', '--out', 'r'])).toEqual({
      command: 'perf',
      suites: 'all',
      backend: 'all',
      size: 1024,
      repeats: 9,
      peers: false,
      json: true,
      verbose: false,
      out: 'r',
    });
    expect(parseCommandLine(['reproduce', '--all', '--seed', '4294967295', '--scale', 'full'])).toMatchObject({ seed: 4294967295, seeds: [4294967295], scale: 'full' });
    expect(parseCommandLine(['reproduce', '--all', '--seeds', '0-4'])).toMatchObject({ seed: 0, seeds: [0, 1, 2, 3, 4] });
    expect(parseCommandLine(['reproduce', '--all', '--seeds', '0,2,5'])).toMatchObject({ seed: 0, seeds: [0, 2, 5] });
    expect(parseCommandLine(['reproduce', '--all', '--seeds', '7,0-2,1'])).toMatchObject({ seed: 7, seeds: [7, 0, 1, 2], seedsGiven: true });
    expect(parseCommandLine(['reproduce', '--all', '--seed', '0'])).toMatchObject({ seeds: [0], seedsGiven: true });
    expect(parseCommandLine(['reproduce', '--all', '--report-only', '--jobs', '3'])).toMatchObject({ reportOnly: true, jobs: 3 });
    expect(() => parseCommandLine(['reproduce', 'a', '--seeds', '0-1', '--outcome', 'o.json'])).toThrow(/--outcome/);
  });

  it('--json FILE takes a path-like next token (or --json=FILE); an id after --json stays an id', () => {
    expect(parseCommandLine(['list', '--json', 'out/list.json'])).toEqual({ command: 'list', json: true, jsonFile: 'out/list.json', verbose: false });
    expect(parseCommandLine(['backends', '--json=probe', '--verbose'])).toEqual({ command: 'backends', json: true, jsonFile: 'probe', verbose: true });
    expect(parseCommandLine(['reproduce', '--json', 'core-linear-regression'])).toMatchObject({ ids: ['core-linear-regression'], json: true });
    expect(parseCommandLine(['reproduce', '--json', 'core-linear-regression'])).not.toHaveProperty('jsonFile');
    expect(parseCommandLine(['reproduce', 'a', '--json', 'runs.json'])).toMatchObject({ ids: ['a'], json: true, jsonFile: 'runs.json' });
    expect(() => parseCommandLine(['list', '--json='])).toThrow(UsageError);
    expect(() => parseCommandLine(['list', '--json', 'a.json', '--json', 'b.json'])).toThrow(/twice/);
  });
});

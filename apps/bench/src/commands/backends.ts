import { type BackendProbe, probeBackends } from '@unbiased/core';
import { textTable } from '../format.js';
import type { CliIo } from '../io.js';

/** `unbiased backends`: tries every backend; prints `{ "backends": [ { name, available, detail } ] }` with --json. */
export async function runBackends(io: CliIo, json: boolean): Promise<number> {
  const probes: BackendProbe[] = await probeBackends();
  const backends = probes.map(({ name, available, detail }) => ({ name, available, detail }));
  if (json) {
    io.stdout.write(`${JSON.stringify({ backends }, null, 2)}\n`);
  } else {
    const rows = backends.map((backend) => [backend.name, backend.available ? '✓' : '✗', backend.detail]);
    io.stdout.write(`${textTable(['backend', 'starts', 'detail'], rows)}\n`);
  }
  return 0;
}

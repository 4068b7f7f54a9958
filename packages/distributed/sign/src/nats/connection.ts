import { UnbiasedError } from '@unbiased/core/errors';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import type { RunConfig } from '../protocol/messages.js';

/** Connects to the NATS server at `url`; a server that is not there is `NATS_UNAVAILABLE` naming the URL. */
export async function connectNats(url: string, name: string, timeoutMs = 5_000): Promise<NatsConnection> {
  if (typeof url !== 'string' || url.length === 0) throw new UnbiasedError('INVALID_ARGUMENT', 'url must name a NATS server, e.g. nats://127.0.0.1:4222', { field: 'url' });
  try {
    return await connect({ servers: url, name, timeout: timeoutMs, maxReconnectAttempts: 10, reconnectTimeWait: 200 });
  } catch (error) {
    throw new UnbiasedError(
      'NATS_UNAVAILABLE',
      `no NATS server reachable at ${url} (${(error as Error).message}); start one with JetStream, e.g. \`nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/nats\``,
      { field: 'url', cause: error },
    );
  }
}

/** Subjects and bucket of run `runId`. */
export function runNames(runId: string): { down: string; up: string; bucket: string } {
  if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new UnbiasedError('INVALID_ARGUMENT', `runId must be letters, digits, "-" or "_"; got "${runId}"`, { field: 'runId' });
  return { down: `unbiased.dist.${runId}.down`, up: `unbiased.dist.${runId}.up`, bucket: `unbiased-dist-${runId}` };
}

const CHUNK_BYTES = 256 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The run's JetStream key-value bucket: the run config and the parameter snapshots. A snapshot of step s is
 * written as chunks `snapshot.s.<i>` (each under NATS's default 1 MiB payload limit), then the key
 * `snapshot.head` = { step, chunks }; the chunks of older snapshots are removed only after the head has moved on
 * (one previous snapshot is kept), so a reader that follows the head never sees a half-written snapshot.
 */
export class RunStore {
  private constructor(
    readonly kv: KV,
    private readonly history: number[] = [],
  ) {}

  static async create(nc: NatsConnection, runId: string, storage: 'file' | 'memory'): Promise<RunStore> {
    const kv = await new Kvm(nc).create(runNames(runId).bucket, { history: 1, storage });
    return new RunStore(kv);
  }

  static async open(nc: NatsConnection, runId: string): Promise<RunStore> {
    return new RunStore(await new Kvm(nc).open(runNames(runId).bucket));
  }

  async putConfig(config: RunConfig): Promise<void> {
    await this.kv.put('config', encoder.encode(JSON.stringify(config)));
  }

  async config(): Promise<RunConfig> {
    const entry = await this.kv.get('config');
    if (!entry || entry.value.length === 0) throw new UnbiasedError('NOT_FOUND', 'the run has no config in its bucket (is the aggregator running?)', { field: 'runId' });
    return JSON.parse(decoder.decode(entry.value)) as RunConfig;
  }

  async putSnapshot(step: number, params: Float32Array): Promise<number> {
    const bytes = new Uint8Array(params.buffer, params.byteOffset, params.byteLength);
    const chunks = Math.max(1, Math.ceil(bytes.length / CHUNK_BYTES));
    for (let i = 0; i < chunks; i++) await this.kv.put(`snapshot.${step}.${i}`, bytes.slice(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
    await this.kv.put('snapshot.head', encoder.encode(JSON.stringify({ step, chunks, length: params.length })));
    this.history.push(step, chunks);
    while (this.history.length > 4) {
      const [old, oldChunks] = this.history.splice(0, 2) as [number, number];
      for (let i = 0; i < oldChunks; i++) await this.kv.purge(`snapshot.${old}.${i}`);
    }
    return bytes.length;
  }

  async snapshot(): Promise<{ step: number; params: Float32Array } | null> {
    const head = await this.kv.get('snapshot.head');
    if (!head || head.value.length === 0) return null;
    const { step, chunks, length } = JSON.parse(decoder.decode(head.value)) as { step: number; chunks: number; length: number };
    const params = new Float32Array(length);
    const bytes = new Uint8Array(params.buffer);
    let at = 0;
    for (let i = 0; i < chunks; i++) {
      const entry = await this.kv.get(`snapshot.${step}.${i}`);
      if (!entry) return null;
      bytes.set(entry.value, at);
      at += entry.value.length;
    }
    return at === bytes.length ? { step, params } : null;
  }
}

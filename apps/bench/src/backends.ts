import { BACKENDS, probeBackends, useBackend } from '@unbiased/core';

/** What `--backend` accepts: a backend, `auto` (first of webgpu, wasm, cpu that starts) or `all` (every one that starts). */
export const BACKEND_CHOICES = [...BACKENDS, 'auto', 'all'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export function isBackendChoice(value: string): value is BackendChoice {
  return (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** The backends a command runs on: the one named (auto included), or for `all` those that start here. */
export async function backendsFor(choice: BackendChoice): Promise<string[]> {
  if (choice !== 'all') return [choice];
  const probes = await probeBackends();
  return probes.filter((probe) => probe.available).map((probe) => probe.name);
}

/**
 * Visits the backends of `choice` in order: each is started, then `run(backend, count)` gets the backend
 * actually active and the number of backends; one that cannot start goes to `unavailable(requested,
 * error)` instead. `run` returns false to stop the visit (the remaining backends are not started).
 */
export async function forEachBackend(
  choice: BackendChoice,
  visit: { run(backend: string, count: number): Promise<boolean>; unavailable(requested: string, error: unknown): void },
): Promise<void> {
  const backends = await backendsFor(choice);
  for (const requested of backends) {
    let backend: string;
    try {
      backend = await activateBackend(requested);
    } catch (error) {
      visit.unavailable(requested, error);
      continue;
    }
    if (!(await visit.run(backend, backends.length))) return;
  }
}

/** Starts `name` (or resolves `auto`) and returns the backend actually active. */
export async function activateBackend(name: string): Promise<string> {
  return (await useBackend(name)).backend;
}

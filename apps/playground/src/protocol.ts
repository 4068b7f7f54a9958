// Messages between the page (main.ts) and the worker (worker.ts) that runs tfjs.
import type { ExperimentResult, Scale } from '@unbiased/core';

export type Backend = 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly Backend[] = ['webgpu', 'wasm', 'cpu'];

/** What the page lists of a registered experiment. */
export interface ExperimentInfo {
  id: string;
  title: string;
  packageName: string;
  paper: { title: string; year: number; claim: string; url?: string };
}

/** What the page lists of a registered optimizer; `defaults` keeps numbers, booleans and strings only. */
export interface OptimizerInfo {
  name: string;
  packageName: string;
  description: string;
  defaults: Record<string, number | boolean | string>;
}

/** How a plug-in's register entry loaded in the worker. */
export interface PluginStatus {
  name: string;
  loaded: boolean;
  detail?: string;
}

/** The backend a run used and the device behind it. */
export interface RuntimeSummary {
  backend: string;
  detail: string;
  adapter?: string;
  tfjs: string;
}

export type ToWorker =
  | { type: 'init' }
  | { type: 'run'; runId: number; id: string; backend: Backend; seed: number; scale: Scale }
  | { type: 'train'; runId: number; optimizer: string; options: Record<string, unknown>; backend: Backend; steps: number; seed: number }
  | { type: 'probe'; backend: Backend };

export type FromWorker =
  | { type: 'ready'; experiments: ExperimentInfo[]; optimizers: OptimizerInfo[]; plugins: PluginStatus[] }
  | { type: 'progress'; runId: number; fraction: number; label?: string }
  | { type: 'result'; runId: number; result: ExperimentResult; runtime: RuntimeSummary; seconds: number }
  | { type: 'loss'; runId: number; step: number; loss: number }
  | { type: 'trained'; runId: number; runtime: RuntimeSummary; seconds: number; losses: number[] }
  | { type: 'probed'; backend: Backend; runtime?: RuntimeSummary; error?: string }
  | { type: 'error'; runId: number; message: string };

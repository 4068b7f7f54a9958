import type { WebGpuProgramLike } from './backend-internals.js';

/** Workgroup size of the flat WGSL programs. */
export const WORKGROUP_SIZE = 64;

/** What {@link flatProgram} needs: the WGSL `main`, its inputs and uniforms, and the output size. */
export interface FlatProgramOptions {
  /** Pipeline cache key: name the stage, never a value (values are uniforms), so one pipeline serves all calls. */
  shaderKey: string;
  /** Input names, in the order of the inputs passed to `runWebGPUProgram`. */
  variableNames: string[];
  /** Number of output elements. */
  size: number;
  /** WGSL struct fields appended to tfjs's `Uniforms`, e.g. `'dim : i32, l2 : f32,'` (default none). */
  uniforms?: string;
  /** 4 reads and writes `vec4<f32>` (`size` divisible by 4; `uniforms.size` is then `size / 4`), else 1. */
  outputComponent?: 1 | 4;
  /** The WGSL code: `fn main(index : i32)` guarded by `index < uniforms.size`. */
  body: string;
}

/**
 * A flat 1-D WebGPU program over `size` outputs, one thread per output (or per vec4). The dispatch is
 * flat; tfjs reshapes it into 2-D when it exceeds maxComputeWorkgroupsPerDimension (65,535).
 */
export function flatProgram({ shaderKey, variableNames, size, uniforms = '', outputComponent = 1, body }: FlatProgramOptions): WebGpuProgramLike {
  return {
    variableNames,
    outputShape: [size],
    shaderKey,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / outputComponent / WORKGROUP_SIZE), 1, 1],
    workgroupSize: [WORKGROUP_SIZE, 1, 1],
    size: true,
    uniforms,
    outputComponent,
    getUserCode: () => body,
  };
}

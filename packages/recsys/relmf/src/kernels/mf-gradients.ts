/**
 * Fused loss and gradients of a pointwise matrix-factorisation objective, in one kernel:
 *
 *   z_j   = p_{u_j} . q_{i_j} + bu_{u_j} + bi_{i_j} + g
 *   L     = (1/N) sum_j [a_j delta1(clip(z_j)) + b_j delta0(clip(z_j))] + (l2/2)(||P||^2 + ||Q||^2)
 *   c_j   = dL/dz_j = (a_j delta1'(z_j) + b_j delta0'(z_j)) / N   (0 where |z_j| > logitClip)
 *   dL/dP = l2 P + scatter_u(c_j q_{i_j}),  dL/dQ = l2 Q + scatter_i(c_j p_{u_j}),
 *   dL/dbu = scatter_u(c_j), dL/dbi = scatter_i(c_j), dL/dg = sum_j c_j
 *
 * with delta1 = softplus(-z), delta0 = softplus(z) (log loss) or delta1 = (1 - s)^2, delta0 = s^2 with
 * s = sigmoid(z) (squared loss); a third kind, `a_j (z_j - b_j)^2` on the raw logit, fits explicit ratings
 * (the first step of Saito's ML-100K protocol). These closed forms replace tfjs autodiff through `tf.gather`, whose
 * gradient needs `UnsortedSegmentSum` (missing on wasm) and materialises the [batch, dim] gathered rows.
 *
 * - cpu and wasm: one JS pass over the batch on the backends' own memory (float64 arithmetic per example,
 *   float32 accumulation into the dense gradients in example order): identical results on both.
 * - webgpu: WGSL programs without atomics: per-example coefficients, then one thread per gradient element
 *   summing its row's examples through a CSR index built on the host (rows sorted stably, so each row sums
 *   in example order, deterministically), and single-workgroup tree reductions for the scalars. Indices
 *   and weights arrive packed in pairs (two [2B] tensors), which keeps every program within WebGPU's
 *   default limit of 8 storage buffers per shader stage.
 *
 * The reference path (`tf.variableGrads` through `MatrixFactorization.logits` and `pointwiseLoss`) computes
 * the same; `test/mf-gradients.backend.test.ts` ties them together and to finite differences.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '@unbiased/core/errors';
import {
  type CpuBackendInternals,
  defineCustomKernel,
  flatProgram,
  type WasmBackendInternals,
  type WebGpuBackendInternals,
  type WebGpuProgramLike,
} from '@unbiased/core/kernels';

/** Name of the kernel in the tfjs registry. */
export const MF_GRADIENTS_KERNEL = 'UnbiasedMfPointwiseGradients';

/** Kernel attributes (numbers only: they are uniforms on webgpu, never code). */
export interface MfGradientAttrs {
  /**
   * 0 = log loss, 1 = squared loss (both on sigmoid(clip(z)), weights a_j, b_j); 2 = regression on the raw
   * logit, `a_j (z_j - b_j)^2`: `positiveWeight` is then the example weight and `negativeWeight` the target
   * (rating), and `logitClip` is not applied.
   */
  lossKind: 0 | 1 | 2;
  logitClip: number;
  /** 1 / N. */
  invNormaliser: number;
  l2: number;
}

/** Inputs, all on the active backend. Bias inputs are zeros for a model without biases. */
export interface MfGradientInputs {
  userEmbedding: tf.Tensor;
  itemEmbedding: tf.Tensor;
  userBias: tf.Tensor;
  itemBias: tf.Tensor;
  globalBias: tf.Tensor;
  /** int32 [B] */
  users: tf.Tensor;
  /** int32 [B] */
  items: tf.Tensor;
  /** a_j, float32 [B] */
  positiveWeight: tf.Tensor;
  /** b_j, float32 [B] */
  negativeWeight: tf.Tensor;
  /** webgpu only: `users` then `items`, int32 [2B] (WebGPU's default limit is 8 storage buffers per shader). */
  pairs?: tf.Tensor;
  /** webgpu only: `positiveWeight` then `negativeWeight`, float32 [2B]. */
  weights?: tf.Tensor;
  /** webgpu only: rows of each table in CSR form (see {@link rowIndex}). */
  userOrder?: tf.Tensor;
  userOffsets?: tf.Tensor;
  itemOrder?: tf.Tensor;
  itemOffsets?: tf.Tensor;
}

/** The loss (a scalar) and the gradient of every parameter, new tensors the caller owns. */
export interface MfGradientOutputs {
  loss: tf.Scalar;
  userEmbedding: tf.Tensor;
  itemEmbedding: tf.Tensor;
  userBias: tf.Tensor;
  itemBias: tf.Tensor;
  globalBias: tf.Tensor;
}

/**
 * Rows of a table touched by a batch, in CSR form: `order[offsets[r] .. offsets[r+1])` are the example
 * indices with id r, ascending (a stable counting sort).
 */
export function rowIndex(ids: ArrayLike<number>, numRows: number): { order: Int32Array; offsets: Int32Array } {
  const offsets = new Int32Array(numRows + 1);
  for (let j = 0; j < ids.length; j++) offsets[(ids[j] as number) + 1]!++;
  for (let r = 0; r < numRows; r++) offsets[r + 1] = (offsets[r + 1] as number) + (offsets[r] as number);
  const next = offsets.slice(0, numRows);
  const order = new Int32Array(ids.length);
  for (let j = 0; j < ids.length; j++) order[next[ids[j] as number]!++] = j;
  return { order, offsets };
}

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

interface LoopArrays {
  P: Float32Array;
  Q: Float32Array;
  bu: Float32Array;
  bi: Float32Array;
  g: Float32Array;
  users: Int32Array;
  items: Int32Array;
  a: Float32Array;
  b: Float32Array;
  gP: Float32Array;
  gQ: Float32Array;
  gbu: Float32Array;
  gbi: Float32Array;
}

/** The cpu/wasm pass; writes the dense gradients and returns [loss, dL/dg]. */
function gradientLoop(x: LoopArrays, dim: number, { lossKind, logitClip, invNormaliser, l2 }: MfGradientAttrs): [number, number] {
  const { P, Q, bu, bi, g, users, items, a, b, gP, gQ, gbu, gbi } = x;
  // The L2 gradient first (one pass that also clears the outputs), then the scatter-add of the batch.
  let squares = 0;
  for (let k = 0; k < P.length; k++) {
    const p = P[k] as number;
    gP[k] = l2 * p;
    squares += p * p;
  }
  for (let k = 0; k < Q.length; k++) {
    const q = Q[k] as number;
    gQ[k] = l2 * q;
    squares += q * q;
  }
  gbu.fill(0);
  gbi.fill(0);
  const g0 = g[0] as number;
  let loss = 0;
  let gradGlobal = 0;
  const n = users.length;
  for (let j = 0; j < n; j++) {
    const u = users[j] as number;
    const i = items[j] as number;
    const pu = u * dim;
    const qi = i * dim;
    let z = (bu[u] as number) + (bi[i] as number) + g0;
    for (let k = 0; k < dim; k++) z += (P[pu + k] as number) * (Q[qi + k] as number);
    const aj = a[j] as number;
    const bj = b[j] as number;
    let c: number;
    if (lossKind === 2) {
      const r = z - bj;
      loss += aj * r * r;
      c = 2 * aj * r * invNormaliser;
    } else {
      const zc = Math.min(Math.max(z, -logitClip), logitClip);
      const s = sigmoid(zc);
      let d1: number;
      let d0: number;
      if (lossKind === 0) {
        loss += aj * softplus(-zc) + bj * softplus(zc);
        d1 = s - 1;
        d0 = s;
      } else {
        const t = 1 - s;
        loss += aj * t * t + bj * s * s;
        d1 = -2 * t * s * t;
        d0 = 2 * s * s * t;
      }
      if (!(z >= -logitClip && z <= logitClip)) continue;
      c = (aj * d1 + bj * d0) * invNormaliser;
    }
    gbu[u]! += c;
    gbi[i]! += c;
    gradGlobal += c;
    for (let k = 0; k < dim; k++) {
      gP[pu + k]! += c * (Q[qi + k] as number);
      gQ[qi + k]! += c * (P[pu + k] as number);
    }
  }
  loss = loss * invNormaliser + 0.5 * l2 * squares;
  return [loss, gradGlobal];
}

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}

const REQUIRED = ['userEmbedding', 'itemEmbedding', 'userBias', 'itemBias', 'globalBias', 'users', 'items', 'positiveWeight', 'negativeWeight'] as const;

function unpack(args: KernelArgs): { t: Record<string, tf.TensorInfo>; attrs: MfGradientAttrs; dim: number } {
  const t = args.inputs as Record<string, tf.TensorInfo>;
  for (const name of REQUIRED) if (!t[name]) throw new UnbiasedError('BAD_INPUT', `${MF_GRADIENTS_KERNEL} needs input ${name}`, { field: name });
  return { t, attrs: args.attrs as unknown as MfGradientAttrs, dim: (t.userEmbedding as tf.TensorInfo).shape[1] as number };
}

function cpuKernel(args: KernelArgs): tf.TensorInfo[] {
  const { t, attrs, dim } = unpack(args);
  const backend = args.backend as CpuBackendInternals;
  const read = (name: string) => backend.data.get((t[name] as tf.TensorInfo).dataId).values as Float32Array & Int32Array;
  const shapeOf = (name: string) => (t[name] as tf.TensorInfo).shape;
  const size = (name: string) => tf.util.sizeFromShape(shapeOf(name));
  const gP = new Float32Array(size('userEmbedding'));
  const gQ = new Float32Array(size('itemEmbedding'));
  const gbu = new Float32Array(size('userBias'));
  const gbi = new Float32Array(size('itemBias'));
  const [loss, gradGlobal] = gradientLoop(
    {
      P: read('userEmbedding'),
      Q: read('itemEmbedding'),
      bu: read('userBias'),
      bi: read('itemBias'),
      g: read('globalBias'),
      users: read('users'),
      items: read('items'),
      a: read('positiveWeight'),
      b: read('negativeWeight'),
      gP,
      gQ,
      gbu,
      gbi,
    },
    dim,
    attrs,
  );
  return [
    backend.makeTensorInfo([], 'float32', Float32Array.of(loss)),
    backend.makeTensorInfo(shapeOf('userEmbedding'), 'float32', gP),
    backend.makeTensorInfo(shapeOf('itemEmbedding'), 'float32', gQ),
    backend.makeTensorInfo(shapeOf('userBias'), 'float32', gbu),
    backend.makeTensorInfo(shapeOf('itemBias'), 'float32', gbi),
    backend.makeTensorInfo(shapeOf('globalBias'), 'float32', Float32Array.of(gradGlobal)),
  ];
}

function wasmKernel(args: KernelArgs): tf.TensorInfo[] {
  const { t, attrs, dim } = unpack(args);
  const backend = args.backend as WasmBackendInternals;
  const shapeOf = (name: string) => (t[name] as tf.TensorInfo).shape;
  // Allocate every output before taking any view: malloc may grow (and detach) the heap.
  const outputs = [
    backend.makeOutput([], 'float32'),
    backend.makeOutput(shapeOf('userEmbedding'), 'float32'),
    backend.makeOutput(shapeOf('itemEmbedding'), 'float32'),
    backend.makeOutput(shapeOf('userBias'), 'float32'),
    backend.makeOutput(shapeOf('itemBias'), 'float32'),
    backend.makeOutput(shapeOf('globalBias'), 'float32'),
  ];
  const view = (info: tf.TensorInfo) => backend.typedArrayFromHeap(info) as Float32Array & Int32Array;
  const input = (name: string) => view(t[name] as tf.TensorInfo);
  const [lossOut, gP, gQ, gbu, gbi, gg] = outputs.map(view) as Float32Array[];
  const [loss, gradGlobal] = gradientLoop(
    {
      P: input('userEmbedding'),
      Q: input('itemEmbedding'),
      bu: input('userBias'),
      bi: input('itemBias'),
      g: input('globalBias'),
      users: input('users'),
      items: input('items'),
      a: input('positiveWeight'),
      b: input('negativeWeight'),
      gP: gP as Float32Array,
      gQ: gQ as Float32Array,
      gbu: gbu as Float32Array,
      gbi: gbi as Float32Array,
    },
    dim,
    attrs,
  );
  (lossOut as Float32Array)[0] = loss;
  (gg as Float32Array)[0] = gradGlobal;
  return outputs;
}

const WGSL_LOGIT = `
fn mfSigmoid(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
fn mfSoftplus(x : f32) -> f32 { return max(x, 0.0) + log(1.0 + exp(-abs(x))); }
fn mfLogit(e : i32) -> f32 {
  let u = Pairs[e];
  let i = Pairs[uniforms.batch + e];
  var z = Bu[u] + Bi[i] + G[0];
  for (var k = 0; k < uniforms.dim; k = k + 1) {
    z = z + P[u * uniforms.dim + k] * Q[i * uniforms.dim + k];
  }
  return z;
}
`;

const EXAMPLE_INPUTS = ['P', 'Q', 'Bu', 'Bi', 'G', 'Pairs', 'W'];
const EXAMPLE_UNIFORMS = 'dim : i32, batch : i32, lossKind : i32, logitClip : f32, invNormaliser : f32,';

/** One thread per example `index` of the batch, with `mfLogit` and the example inputs and uniforms. */
function exampleProgram(stage: string, batch: number, main: string): WebGpuProgramLike {
  return flatProgram({
    shaderKey: `${MF_GRADIENTS_KERNEL}_${stage}`,
    variableNames: EXAMPLE_INPUTS,
    size: batch,
    uniforms: EXAMPLE_UNIFORMS,
    body: `${WGSL_LOGIT}${main}`,
  });
}

function coefficientProgram(batch: number): WebGpuProgramLike {
  return exampleProgram(
    'coefficient',
    batch,
    `
fn main(index : i32) {
  if (index < uniforms.size) {
    let z = mfLogit(index);
    let zc = clamp(z, -uniforms.logitClip, uniforms.logitClip);
    let s = mfSigmoid(zc);
    var d1 = s - 1.0;
    var d0 = s;
    if (uniforms.lossKind == 1) {
      let t = 1.0 - s;
      d1 = -2.0 * t * s * t;
      d0 = 2.0 * s * s * t;
    }
    let inside = z >= -uniforms.logitClip && z <= uniforms.logitClip;
    let a = W[index];
    let b = W[uniforms.batch + index];
    var c = select(0.0, (a * d1 + b * d0) * uniforms.invNormaliser, inside);
    if (uniforms.lossKind == 2) {
      c = 2.0 * a * (z - b) * uniforms.invNormaliser;
    }
    setOutputAtIndex(index, c);
  }
}
`,
  );
}

function exampleLossProgram(batch: number): WebGpuProgramLike {
  return exampleProgram(
    'example_loss',
    batch,
    `
fn main(index : i32) {
  if (index < uniforms.size) {
    let z = mfLogit(index);
    let zc = clamp(z, -uniforms.logitClip, uniforms.logitClip);
    let a = W[index];
    let b = W[uniforms.batch + index];
    var value : f32;
    if (uniforms.lossKind == 0) {
      value = a * mfSoftplus(-zc) + b * mfSoftplus(zc);
    } else if (uniforms.lossKind == 2) {
      value = a * (z - b) * (z - b);
    } else {
      let s = mfSigmoid(zc);
      value = a * (1.0 - s) * (1.0 - s) + b * s * s;
    }
    // A NaN logit must reach the loss (clamp of NaN is not specified), so that divergence is reported.
    setOutputAtIndex(index, select(value * uniforms.invNormaliser, z, isnan(z)));
  }
}
`,
  );
}

/**
 * dL/dT for a table T [rows, dim]: l2 * T plus the CSR sum of c_j * O[other_j] (the order of the cpu loop), where other_j =
 * Pairs[otherOffset + j] (the item of pair j for the user table, its user for the item table).
 */
function rowGradientProgram(rows: number, dim: number): WebGpuProgramLike {
  return flatProgram({
    shaderKey: `${MF_GRADIENTS_KERNEL}_rows`,
    variableNames: ['T', 'O', 'Coef', 'Pairs', 'Order', 'Offsets'],
    size: rows * dim,
    uniforms: 'dim : i32, otherOffset : i32, l2 : f32,',
    body: `
fn main(index : i32) {
  if (index < uniforms.size) {
    let r = index / uniforms.dim;
    let k = index - r * uniforms.dim;
    var acc = uniforms.l2 * T[index];
    for (var j = Offsets[r]; j < Offsets[r + 1]; j = j + 1) {
      let e = Order[j];
      acc = acc + Coef[e] * O[Pairs[uniforms.otherOffset + e] * uniforms.dim + k];
    }
    setOutputAtIndex(index, acc);
  }
}
`,
  });
}

/** dL/db for a bias vector [rows]: the CSR sum of c_j. */
function biasGradientProgram(rows: number): WebGpuProgramLike {
  return flatProgram({
    shaderKey: `${MF_GRADIENTS_KERNEL}_bias`,
    variableNames: ['Coef', 'Order', 'Offsets'],
    size: rows,
    body: `
fn main(index : i32) {
  if (index < uniforms.size) {
    var acc = 0.0;
    for (var j = Offsets[index]; j < Offsets[index + 1]; j = j + 1) {
      acc = acc + Coef[Order[j]];
    }
    setOutputAtIndex(index, acc);
  }
}
`,
  });
}

const REDUCE_THREADS = 256;

/** One workgroup: out[0] = sum(X) + halfL2 * (sum(P^2) + sum(Q^2)) (P, Q only in the `withSquares` variant). */
function reduceProgram(withSquares: boolean): WebGpuProgramLike {
  const squares = withSquares
    ? `
  var squares = 0.0;
  for (var j = index; j < uniforms.pSize; j = j + ${REDUCE_THREADS}) { squares = squares + P[j] * P[j]; }
  for (var j = index; j < uniforms.qSize; j = j + ${REDUCE_THREADS}) { squares = squares + Q[j] * Q[j]; }
  acc = acc + uniforms.halfL2 * squares;`
    : '';
  return {
    variableNames: withSquares ? ['X', 'P', 'Q'] : ['X'],
    outputShape: [1],
    shaderKey: `${MF_GRADIENTS_KERNEL}_reduce_${withSquares ? 'loss' : 'sum'}`,
    dispatchLayout: { x: [0] },
    dispatch: [1, 1, 1],
    workgroupSize: [REDUCE_THREADS, 1, 1],
    uniforms: withSquares ? 'count : i32, pSize : i32, qSize : i32, halfL2 : f32,' : 'count : i32,',
    getUserCode: () => `
var<workgroup> mfPartial : array<f32, ${REDUCE_THREADS}>;
fn main(index : i32) {
  var acc = 0.0;
  for (var j = index; j < uniforms.count; j = j + ${REDUCE_THREADS}) { acc = acc + X[j]; }${squares}
  mfPartial[index] = acc;
  workgroupBarrier();
  for (var s = ${REDUCE_THREADS / 2}; s > 0; s = s >> 1u) {
    if (index < s) { mfPartial[index] = mfPartial[index] + mfPartial[index + s]; }
    workgroupBarrier();
  }
  if (index == 0) { result[0] = mfPartial[0]; }
}
`,
  };
}

function webgpuKernel(args: KernelArgs): tf.TensorInfo[] {
  const { t, attrs, dim } = unpack(args);
  const backend = args.backend as WebGpuBackendInternals;
  for (const name of ['pairs', 'weights', 'userOrder', 'userOffsets', 'itemOrder', 'itemOffsets']) {
    if (!t[name]) throw new UnbiasedError('BAD_INPUT', `${MF_GRADIENTS_KERNEL} on webgpu needs input ${name} (see rowIndex)`, { field: name });
  }
  const get = (name: string) => t[name] as tf.TensorInfo;
  const batch = tf.util.sizeFromShape(get('users').shape);
  const numUsers = get('userEmbedding').shape[0] as number;
  const numItems = get('itemEmbedding').shape[0] as number;
  const exampleInputs = ['userEmbedding', 'itemEmbedding', 'userBias', 'itemBias', 'globalBias', 'pairs', 'weights'].map(get);
  const exampleUniforms = [
    { type: 'int32' as const, data: [dim] },
    { type: 'int32' as const, data: [batch] },
    { type: 'int32' as const, data: [attrs.lossKind] },
    { type: 'float32' as const, data: [attrs.logitClip] },
    { type: 'float32' as const, data: [attrs.invNormaliser] },
  ];
  const coef = backend.runWebGPUProgram(coefficientProgram(batch), exampleInputs, 'float32', exampleUniforms);
  const perExample = backend.runWebGPUProgram(exampleLossProgram(batch), exampleInputs, 'float32', exampleUniforms);
  const l2 = { type: 'float32' as const, data: [attrs.l2] };
  const gP = backend.runWebGPUProgram(
    rowGradientProgram(numUsers, dim),
    [get('userEmbedding'), get('itemEmbedding'), coef, get('pairs'), get('userOrder'), get('userOffsets')],
    'float32',
    [{ type: 'int32', data: [dim] }, { type: 'int32', data: [batch] }, l2],
  );
  const gQ = backend.runWebGPUProgram(
    rowGradientProgram(numItems, dim),
    [get('itemEmbedding'), get('userEmbedding'), coef, get('pairs'), get('itemOrder'), get('itemOffsets')],
    'float32',
    [{ type: 'int32', data: [dim] }, { type: 'int32', data: [0] }, l2],
  );
  const gbu = backend.runWebGPUProgram(biasGradientProgram(numUsers), [coef, get('userOrder'), get('userOffsets')], 'float32');
  const gbi = backend.runWebGPUProgram(biasGradientProgram(numItems), [coef, get('itemOrder'), get('itemOffsets')], 'float32');
  const gg = backend.runWebGPUProgram(reduceProgram(false), [coef], 'float32', [{ type: 'int32', data: [batch] }]);
  const loss = backend.runWebGPUProgram(reduceProgram(true), [perExample, get('userEmbedding'), get('itemEmbedding')], 'float32', [
    { type: 'int32', data: [batch] },
    { type: 'int32', data: [numUsers * dim] },
    { type: 'int32', data: [numItems * dim] },
    { type: 'float32', data: [0.5 * attrs.l2] },
  ]);
  backend.disposeData(coef.dataId);
  backend.disposeData(perExample.dataId);
  // Programs are flat (one pipeline per stage whatever the shapes); return the requested shapes on the
  // same data, as tfjs's Reshape kernel does.
  return [
    { dataId: loss.dataId, shape: [], dtype: 'float32' },
    { dataId: gP.dataId, shape: get('userEmbedding').shape, dtype: 'float32' },
    { dataId: gQ.dataId, shape: get('itemEmbedding').shape, dtype: 'float32' },
    gbu,
    gbi,
    { dataId: gg.dataId, shape: get('globalBias').shape, dtype: 'float32' },
  ];
}

const KERNEL = defineCustomKernel(MF_GRADIENTS_KERNEL, { cpu: cpuKernel, wasm: wasmKernel, webgpu: webgpuKernel });

/** Registers `UnbiasedMfPointwiseGradients` for cpu, wasm and webgpu unless already registered. */
export function registerMfGradientKernels(): void {
  KERNEL.ensureRegistered();
}

/**
 * Runs the fused kernel on the active backend (cpu, wasm or webgpu; others throw `NOT_REGISTERED`). On
 * webgpu the CSR inputs are required. Inputs are not validated here (see `mfLossAndGradients`).
 */
export function mfGradientsFused(inputs: MfGradientInputs, attrs: MfGradientAttrs): MfGradientOutputs {
  const named: tf.NamedTensorMap = {};
  for (const [name, tensor] of Object.entries(inputs)) if (tensor) named[name] = tensor;
  const [loss, userEmbedding, itemEmbedding, userBias, itemBias, globalBias] = KERNEL.run(named, attrs);
  return {
    loss: loss as tf.Scalar,
    userEmbedding: userEmbedding as tf.Tensor,
    itemEmbedding: itemEmbedding as tf.Tensor,
    userBias: userBias as tf.Tensor,
    itemBias: itemBias as tf.Tensor,
    globalBias: globalBias as tf.Tensor,
  };
}

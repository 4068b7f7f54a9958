import * as tf from '@tensorflow/tfjs-core';
import { UnbiasedError } from '../errors.js';
import type { NamedTensors, StateLeaf, StateTree } from './types.js';

/** True when two name lists hold the same names in the same order (e.g. `Object.keys` of this step's and the last step's gradients). */
export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Variable names in a fixed (sorted) order, so that cross-variable reductions do not depend on key order. */
export function sortedNames(tensors: Record<string, unknown>): string[] {
  return Object.keys(tensors).sort();
}

function describeKeys(keys: string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

/**
 * Throws `KEY_MISMATCH` naming the missing and unexpected variables unless `actual` has exactly the
 * keys of `expected`, and `SHAPE_MISMATCH` naming the variable whose shapes differ.
 */
export function checkSameVariables(
  what: string,
  actual: NamedTensors,
  expectedWhat: string,
  expected: Record<string, tf.Tensor | { shape: number[] }>,
): void {
  if (checkedInScope(actual, expected)) return;
  // This runs every step for every variable: a direct pass without allocations first; the error is built below.
  if (sameKeysAndShapes(actual, expected)) {
    rememberChecked(actual, expected);
    return;
  }
  const missing = Object.keys(expected).filter((k) => !(k in actual));
  const extra = Object.keys(actual).filter((k) => !(k in expected));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${describeKeys(missing)}`);
    if (extra.length > 0) parts.push(`unexpected ${describeKeys(extra)}`);
    throw new UnbiasedError('KEY_MISMATCH', `${what} do not match the ${expectedWhat}: ${parts.join('; ')}`, {
      field: (missing[0] ?? extra[0]) as string,
    });
  }
  for (const name of Object.keys(expected)) {
    const a = (actual[name] as tf.Tensor).shape;
    const e = (expected[name] as { shape: number[] }).shape;
    if (a.length !== e.length || a.some((d, i) => d !== e[i])) {
      throw new UnbiasedError('SHAPE_MISMATCH', `variable "${name}": ${what} shape [${a}] differs from ${expectedWhat} shape [${e}]`, {
        field: name,
      });
    }
  }
}

/**
 * Maps checked by {@link checkSameVariables} inside {@link withCheckedVariables} (by identity, pairwise): a chain's
 * stages check the same gradients against the same parameters several times per step (AdamW: three times).
 */
const checkedPairs: object[] = [];
let checkScopeDepth = 0;
/** At most this many pairs are remembered per scope (a step checks a handful). */
const MAX_CHECKED_PAIRS = 8;

/**
 * Runs `fn` (synchronously) remembering which (actual, expected) map pairs {@link checkSameVariables} has already
 * passed, so that a later check of the same two map objects in the same scope is skipped. For a step, whose maps
 * are not mutated while it runs (the tfjs adapter wraps each step in it). Re-entrant; forgets on exit.
 */
export function withCheckedVariables<T>(fn: () => T): T {
  checkScopeDepth++;
  try {
    return fn();
  } finally {
    if (--checkScopeDepth === 0) checkedPairs.length = 0;
  }
}

function checkedInScope(actual: object, expected: object): boolean {
  for (let i = 0; i < checkedPairs.length; i += 2) if (checkedPairs[i] === actual && checkedPairs[i + 1] === expected) return true;
  return false;
}

function rememberChecked(actual: object, expected: object): void {
  if (checkScopeDepth > 0 && checkedPairs.length < 2 * MAX_CHECKED_PAIRS) checkedPairs.push(actual, expected);
}

/** True when `actual` has exactly the own keys of `expected`, each holding a tensor of the expected shape. */
function sameKeysAndShapes(actual: NamedTensors, expected: Record<string, tf.Tensor | { shape: number[] }>): boolean {
  const names = Object.keys(expected);
  if (Object.keys(actual).length !== names.length) return false;
  for (let j = 0; j < names.length; j++) {
    const name = names[j] as string;
    // No own-property test needed here: with the key counts equal, a name `actual` lacks leaves an own key of
    // `actual` unmatched, and what a plain object inherits has no `shape` array (the check below then fails and the
    // error path names the keys).
    const a = actual[name];
    const e = expected[name];
    if (a === undefined || a === null || e === undefined || e === null) return false;
    const as = a.shape;
    const es = e.shape;
    if (as === undefined || es === undefined || as.length !== es.length) return false;
    for (let i = 0; i < as.length; i++) if (as[i] !== es[i]) return false;
  }
  return true;
}

/** Applies `fn` to each named tensor (in sorted order) and returns a new map with the same keys. */
export function mapNamed(tensors: NamedTensors, fn: (t: tf.Tensor, name: string) => tf.Tensor): NamedTensors {
  const out: NamedTensors = {};
  for (const name of sortedNames(tensors)) out[name] = fn(tensors[name] as tf.Tensor, name);
  return out;
}

/** Zeros like each tensor (state initialisation). */
export function zerosLikeAll(tensors: NamedTensors): NamedTensors {
  return mapNamed(tensors, (t) => tf.zerosLike(t));
}

/** Every tensor leaf of a state tree (depth first, in key order). */
export function stateTensors(state: StateTree | StateLeaf): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  collectTensors(state, out);
  return out;
}

// One accumulator instead of an array per node: the optimizer walks its state several times per step.
function collectTensors(state: StateTree | StateLeaf, out: tf.Tensor[]): void {
  if (typeof state === 'number') return;
  if (state instanceof tf.Tensor) {
    out.push(state);
    return;
  }
  for (const child of Object.values(state)) collectTensors(child, out);
}

/**
 * Disposes every tensor of `previous` that `next` no longer holds (and every tensor in `extra` that `next`
 * does not hold). Transforms are functional; this is how callers free replaced state without freeing
 * tensors a transform carried over unchanged.
 */
export function disposeReplaced(previous: StateTree, next: StateTree, extra: tf.Tensor[] = []): void {
  // A subtree `next` shares with `previous` (the same object at the same path: e.g. the map of moments a fused
  // step updated in place) holds no replaced tensor, so it is not walked unless a tensor dropped elsewhere
  // might sit in it too.
  const dropped: tf.Tensor[] = [];
  const kept: tf.Tensor[] = [];
  const shared: StateTree[] = [];
  diffStates(previous, next, dropped, kept, shared);
  for (const t of extra) dropped.push(t);
  let keptSet: Set<tf.Tensor> | undefined;
  for (const t of dropped) {
    if (t.isDisposed) continue;
    if (keptSet === undefined) {
      for (const tree of shared) collectTensors(tree, kept);
      keptSet = new Set(kept);
    }
    if (!keptSet.has(t)) t.dispose();
  }
}

/** Walks `previous` and `next` together: tensors only in `previous` -> `dropped`, in `next` -> `kept`, identical subtrees -> `shared`. */
function diffStates(previous: StateTree | StateLeaf | undefined, next: StateTree | StateLeaf | undefined, dropped: tf.Tensor[], kept: tf.Tensor[], shared: StateTree[]): void {
  if (previous === next) {
    if (previous instanceof tf.Tensor) kept.push(previous);
    else if (previous !== undefined && typeof previous !== 'number') shared.push(previous);
    return;
  }
  const previousTree = previous !== undefined && typeof previous !== 'number' && !(previous instanceof tf.Tensor);
  const nextTree = next !== undefined && typeof next !== 'number' && !(next instanceof tf.Tensor);
  if (!previousTree || !nextTree) {
    if (previous !== undefined) collectTensors(previous, dropped);
    if (next !== undefined) collectTensors(next, kept);
    return;
  }
  const p = previous as StateTree;
  const n = next as StateTree;
  for (const key of Object.keys(p)) diffStates(p[key], Object.hasOwn(n, key) ? n[key] : undefined, dropped, kept, shared);
  for (const key of Object.keys(n)) if (!Object.hasOwn(p, key)) collectTensors(n[key] as StateTree | StateLeaf, kept);
}

/** Disposes every tensor in a state tree. */
export function disposeState(state: StateTree): void {
  for (const t of stateTensors(state)) if (!t.isDisposed) t.dispose();
}

/** A state leaf as a named, flat entry; `path` segments are URI-encoded and joined by '/'. */
export interface FlatLeaf {
  name: string;
  leaf: StateLeaf;
}

/** Flattens a state tree into `name -> leaf` entries in sorted path order. */
export function flattenState(state: StateTree, prefix = ''): FlatLeaf[] {
  const out: FlatLeaf[] = [];
  for (const key of Object.keys(state).sort()) {
    const child = state[key] as StateLeaf | StateTree;
    const name = prefix === '' ? encodeURIComponent(key) : `${prefix}/${encodeURIComponent(key)}`;
    if (typeof child === 'number' || child instanceof tf.Tensor) out.push({ name, leaf: child });
    else out.push(...flattenState(child, name));
  }
  return out;
}

/**
 * Rebuilds a state tree with the structure of `template`, taking each leaf from `values` by flat name.
 * Throws `BAD_STATE` naming missing or unexpected entries, and `SHAPE_MISMATCH` / `DTYPE_MISMATCH` naming
 * the entry whose tensor differs from the template's.
 */
export function unflattenState<S extends StateTree>(template: S, values: Map<string, StateLeaf>): S {
  const expected = flattenState(template);
  const expectedNames = new Set(expected.map((e) => e.name));
  const missing = expected.filter((e) => !values.has(e.name)).map((e) => decodeURIComponent(e.name));
  const extra = [...values.keys()].filter((n) => !expectedNames.has(n)).map((n) => decodeURIComponent(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${describeKeys(missing)}`);
    if (extra.length > 0) parts.push(`unexpected ${describeKeys(extra)}`);
    throw new UnbiasedError('BAD_STATE', `optimizer state does not match these variables: ${parts.join('; ')}`, {
      field: (missing[0] ?? extra[0]) as string,
    });
  }
  const build = (node: StateTree, prefix: string): StateTree => {
    const out: StateTree = {};
    for (const key of Object.keys(node)) {
      const child = node[key] as StateLeaf | StateTree;
      const name = prefix === '' ? encodeURIComponent(key) : `${prefix}/${encodeURIComponent(key)}`;
      if (typeof child === 'number' || child instanceof tf.Tensor) {
        const value = values.get(name) as StateLeaf;
        if (typeof child === 'number') {
          if (typeof value !== 'number') {
            throw new UnbiasedError('BAD_STATE', `state entry "${decodeURIComponent(name)}" must be a number`, { field: name });
          }
        } else {
          if (!(value instanceof tf.Tensor)) {
            throw new UnbiasedError('BAD_STATE', `state entry "${decodeURIComponent(name)}" must be a tensor`, { field: name });
          }
          if (value.shape.length !== child.shape.length || value.shape.some((d, i) => d !== child.shape[i])) {
            throw new UnbiasedError(
              'SHAPE_MISMATCH',
              `state entry "${decodeURIComponent(name)}" has shape [${value.shape}], expected [${child.shape}]`,
              { field: decodeURIComponent(name) },
            );
          }
          if (value.dtype !== child.dtype) {
            throw new UnbiasedError('DTYPE_MISMATCH', `state entry "${decodeURIComponent(name)}" has dtype ${value.dtype}, expected ${child.dtype}`, {
              field: decodeURIComponent(name),
            });
          }
        }
        out[key] = value;
      } else {
        out[key] = build(child, name);
      }
    }
    return out;
  };
  return build(template, '') as S;
}

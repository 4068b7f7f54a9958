import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testBackend } from '../../../tooling/vitest/backend.js';
import { addDecayedWeights, checkSameVariables, disposeReplaced, type StateTree, withCheckedVariables } from '../src/index.js';

// Bookkeeping only (which tensor objects get disposed, which maps get checked): the same on every backend, so it
// runs on cpu alone.
const onCpu = testBackend === 'cpu';

type Node = StateTree | tf.Tensor | number;

/** Every tensor of a tree (the naive walk the test compares with). */
function tensorsOf(node: Node | undefined, out = new Set<tf.Tensor>()): Set<tf.Tensor> {
  if (node instanceof tf.Tensor) out.add(node);
  else if (node !== undefined && typeof node !== 'number') for (const child of Object.values(node)) tensorsOf(child as Node, out);
  return out;
}

/** A tree shape: leaves pick a tensor of the pool by index, or are numbers; inner nodes have 0..3 children. */
type Shape = { leaf: number } | { num: number } | { kids: Shape[] };
const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ leaf: fc.nat(11) }),
    fc.record({ num: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ kids: fc.array(tie('node'), { maxLength: 3 }) }),
  ),
})).node;

function build(shape: Shape, pool: tf.Tensor[]): Node {
  if ('leaf' in shape) return pool[shape.leaf] as tf.Tensor;
  if ('num' in shape) return shape.num;
  const tree: StateTree = {};
  shape.kids.forEach((kid, i) => {
    tree[`k${i}`] = build(kid, pool) as StateTree;
  });
  return tree;
}

/**
 * `next` from `previous` the way transforms produce it: each child is kept as the SAME object (a map updated in
 * place), rebuilt as a new object from a fresh shape (tensors replaced, moved or kept), or dropped; plus new keys.
 */
function derive(previous: Node, choices: number[], shapes: Shape[], pool: tf.Tensor[], at = { i: 0 }): Node {
  const pick = () => choices[at.i++ % choices.length] as number;
  if (previous instanceof tf.Tensor || typeof previous === 'number') return pick() % 2 === 0 ? previous : build(shapes[pick() % shapes.length] as Shape, pool);
  const tree: StateTree = {};
  for (const [key, child] of Object.entries(previous)) {
    const c = pick() % 4;
    if (c === 0) tree[key] = child; // shared subtree (same object)
    else if (c === 1) tree[key] = derive(child as Node, choices, shapes, pool, at) as StateTree;
    else if (c === 2) tree[key] = build(shapes[pick() % shapes.length] as Shape, pool) as StateTree;
    // c === 3: dropped
  }
  if (pick() % 3 === 0) tree.added = build(shapes[pick() % shapes.length] as Shape, pool) as StateTree;
  return tree;
}

describe.runIf(onCpu)('disposeReplaced with subtrees shared between the old and the new state', () => {
  it('disposes exactly (tensors of previous + extra) - tensors of next, as a full walk of both trees would', () => {
    fc.assert(
      fc.property(
        fc.record({ kids: fc.array(shapeArb, { minLength: 1, maxLength: 4 }) }),
        fc.array(shapeArb, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(23), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(11), { maxLength: 4 }),
        (rootShape, shapes, choices, extraIdx) => {
          const pool = Array.from({ length: 12 }, (_, i) => tf.scalar(i));
          try {
            const previous = build(rootShape, pool) as StateTree;
            const next = derive(previous, choices, shapes, pool) as StateTree;
            const extra = extraIdx.map((i) => pool[i] as tf.Tensor);
            const keep = tensorsOf(next);
            const expected = new Set([...tensorsOf(previous), ...extra].filter((t) => !keep.has(t)));
            disposeReplaced(previous, next, extra);
            pool.forEach((t, i) => {
              expect(t.isDisposed, `pool tensor ${i}`).toBe(expected.has(t));
            });
          } finally {
            tf.dispose(pool);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a tensor dropped from a changed subtree but still held in a shared one is kept', () => {
    const t = tf.scalar(1);
    const u = tf.scalar(2);
    const shared: StateTree = { a: t };
    const previous: StateTree = { s: shared, c: { x: t, y: u } };
    const next: StateTree = { s: shared, c: {} };
    disposeReplaced(previous, next);
    expect(t.isDisposed).toBe(false);
    expect(u.isDisposed).toBe(true);
    t.dispose();
  });
});

describe.runIf(onCpu)('checkSameVariables inside withCheckedVariables', () => {
  /** A map whose property reads are counted (through a Proxy). */
  function counted(map: Record<string, tf.Tensor>): { map: Record<string, tf.Tensor>; reads: () => number } {
    let reads = 0;
    const proxy = new Proxy(map, {
      get(target, key, receiver) {
        if (typeof key === 'string') reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    return { map: proxy, reads: () => reads };
  }

  it('checks a pair of maps once per scope, still checks other pairs, and forgets the pair when the scope ends', () => {
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4]);
    const grads = counted({ a, b });
    const params = { a, b };
    const wrong = { a, b: tf.zeros([5]) };
    withCheckedVariables(() => {
      checkSameVariables('gradients', grads.map, 'parameters', params);
      const afterFirst = grads.reads();
      expect(afterFirst).toBeGreaterThan(0);
      checkSameVariables('gradients', grads.map, 'parameters', params);
      expect(grads.reads()).toBe(afterFirst);
      // Another pair with the same gradients is checked (and fails).
      expect(() => checkSameVariables('gradients', grads.map, 'parameters', wrong)).toThrow(/variable "b"/);
    });
    // Outside the scope nothing is remembered: a map changed since is checked again.
    const before = grads.reads();
    checkSameVariables('gradients', grads.map, 'parameters', params);
    expect(grads.reads()).toBeGreaterThan(before);
    delete (grads.map as Record<string, tf.Tensor>).b;
    expect(() => checkSameVariables('gradients', grads.map, 'parameters', params)).toThrow(expect.objectContaining({ code: 'KEY_MISMATCH' }));
    tf.dispose([a, b, wrong.b as tf.Tensor]);
  });

  it('a name the gradients lack is reported even when an inherited property has that name', () => {
    const w = tf.zeros([1]);
    const params = { toString: w } as unknown as Record<string, tf.Tensor>;
    expect(() => checkSameVariables('gradients', { other: w }, 'parameters', params)).toThrow(expect.objectContaining({ code: 'KEY_MISMATCH' }));
    w.dispose();
  });
});

describe.runIf(onCpu)('addDecayedWeights reuses its factor map only while the decay and the names stay', () => {
  it('a changed decay, a changed set of names or a mask gives the right factors', () => {
    const a = tf.zeros([2]);
    const b = tf.zeros([3]);
    const ab = { a, b };
    const schedule = (count: number) => (count < 2 ? 0.1 : 0.2);
    const t = addDecayedWeights(schedule);
    const decay = t.decoupledDecay?.bind(t);
    if (decay === undefined) throw new Error('addDecayedWeights has no decoupledDecay');
    const s0 = decay({ count: 0 }, ab, ab);
    const s1 = decay(s0.state, ab, ab);
    expect(s1.weightDecay).toEqual({ a: 0.1, b: 0.1 });
    const s2 = decay(s1.state, ab, ab);
    expect(s2.weightDecay).toEqual({ a: 0.2, b: 0.2 });
    const onlyA = decay(s2.state, { a }, { a });
    expect(onlyA.weightDecay).toEqual({ a: 0.2 });
    // A predicate is evaluated once per parameter map; a new map (new variables) evaluates it again.
    const calls: string[] = [];
    const masked = addDecayedWeights(0.3, {
      mask: (name, p) => {
        calls.push(name);
        return p.rank === 1 && name === 'b';
      },
    });
    const m0 = masked.decoupledDecay?.({ count: 0 }, ab, ab);
    const m1 = masked.decoupledDecay?.(m0?.state as { count: number }, ab, ab);
    expect(m1?.weightDecay).toEqual({ a: 0, b: 0.3 });
    expect(calls).toEqual(['a', 'b']);
    const b2 = tf.zeros([3, 1]);
    const m2 = masked.decoupledDecay?.(m1?.state as { count: number }, { a, b: b2 }, { a, b: b2 });
    expect(m2?.weightDecay).toEqual({ a: 0, b: 0 });
    expect(calls).toEqual(['a', 'b', 'a', 'b']);
    // A map mask is read every step (it may be edited).
    const selection: Record<string, boolean> = { a: true, b: false };
    const byMap = addDecayedWeights(0.5, { mask: selection });
    const d0 = byMap.decoupledDecay?.({ count: 0 }, ab, ab);
    expect(d0?.weightDecay).toEqual({ a: 0.5, b: 0 });
    selection.b = true;
    expect(byMap.decoupledDecay?.(d0?.state as { count: number }, ab, ab).weightDecay).toEqual({ a: 0.5, b: 0.5 });
    b2.dispose();
    tf.dispose([a, b]);
  });
});

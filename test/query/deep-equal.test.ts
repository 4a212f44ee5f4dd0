import { describe, expect, it } from 'vitest';
import { MAX_COMPARED_PAIRS } from '../../src/defaults.js';
import { deepEqual } from '../../src/query/deep-equal.js';

describe('deepEqual', () => {
  it('primitives compare by value (NaN equals NaN)', () => {
    expect(deepEqual(1, 1)).toBe(true);
    expect(deepEqual('a', 'a')).toBe(true);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual(null, null)).toBe(true);
    expect(deepEqual(undefined, undefined)).toBe(true);
    expect(deepEqual(1, 2)).toBe(false);
    expect(deepEqual(1, '1')).toBe(false);
    expect(deepEqual(null, undefined)).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
    expect(deepEqual({}, null)).toBe(false);
    expect(deepEqual(0, {})).toBe(false);
  });

  it('nested JSON-like data compares structurally, whatever the key order', () => {
    const a = { id: 'r1', logs: [{ step: 1, loss: 0.5 }], meta: { tags: ['x', 'y'], done: false } };
    const b = { meta: { done: false, tags: ['x', 'y'] }, logs: [{ loss: 0.5, step: 1 }], id: 'r1' };
    expect(deepEqual(a, b)).toBe(true);
    expect(deepEqual(JSON.parse(JSON.stringify(a)), a)).toBe(true);
  });

  it('any difference deep down makes data unequal', () => {
    const a = { logs: [{ step: 1, loss: 0.5 }] };
    expect(deepEqual(a, { logs: [{ step: 1, loss: 0.25 }] })).toBe(false);
    expect(
      deepEqual(a, {
        logs: [
          { step: 1, loss: 0.5 },
          { step: 2, loss: 0.4 },
        ],
      }),
    ).toBe(false);
    expect(deepEqual(a, { logs: [] })).toBe(false);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: 2 }, { a: 1 })).toBe(false);
    // Same number of keys, different names (an undefined value does not stand in for a key).
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(false);
  });

  it('arrays and objects are never equal to each other; array order matters', () => {
    expect(deepEqual([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(deepEqual({ 0: 1, 1: 2 }, [1, 2])).toBe(false);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual([], [])).toBe(true);
  });

  it('Dates compare by time', () => {
    expect(deepEqual(new Date(5), new Date(5))).toBe(true);
    expect(deepEqual(new Date(5), new Date(6))).toBe(false);
    expect(deepEqual(new Date(5), 5)).toBe(false);
    expect(deepEqual(new Date(5), {})).toBe(false);
    expect(deepEqual({}, new Date(5))).toBe(false);
  });

  it('objects of different prototypes are unequal', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(deepEqual(new Point(1), { x: 1 })).toBe(false);
    expect(deepEqual(Object.create(null), {})).toBe(false);
  });

  it('Maps and Sets with different contents are unequal (schema transforms may output them)', () => {
    // The doc comment: "other classes by identity". A Map has no own enumerable keys, so a
    // structural walk sees every Map as {}: a changed Map would keep the old snapshot.
    expect(deepEqual(new Map([['a', 1]]), new Map([['a', 2]]))).toBe(false);
    expect(deepEqual(new Set([1]), new Set([2]))).toBe(false);
  });
});

/** `leaf` wrapped in `depth` levels of `wrap`, built without recursion. */
function nested(depth: number, leaf: unknown, wrap: (inner: unknown) => unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

describe('deepEqual on data deeper than the call stack (issue 8, item 2)', () => {
  const DEPTH = 100_000;
  const shapes: [string, (inner: unknown) => unknown][] = [
    ['arrays', (inner) => [inner]],
    ['objects', (inner) => ({ next: inner })],
    ['Maps', (inner) => new Map([['next', inner]])],
    ['arrays and objects', (inner) => [{ n: 1, next: inner }]],
  ];

  it.each(shapes)(
    '100,000 levels of %s: equal is equal, a different leaf is not',
    (_name, wrap) => {
      expect(deepEqual(nested(DEPTH, 1, wrap), nested(DEPTH, 1, wrap))).toBe(true);
      expect(deepEqual(nested(DEPTH, 1, wrap), nested(DEPTH, 2, wrap))).toBe(false);
      expect(deepEqual(nested(DEPTH, 1, wrap), nested(DEPTH - 1, 1, wrap))).toBe(false);
    },
  );

  it('cyclic or self-sharing values (a schema may output them) end, counted as changed', () => {
    const cycle = (value: number) => {
      const node: { value: number; next?: unknown } = { value };
      node.next = node;
      return node;
    };
    expect(deepEqual(cycle(1), cycle(2))).toBe(false);
    expect(deepEqual(cycle(1), cycle(1))).toBe(false); // past the walk's bound: "changed"
    const one = cycle(1);
    expect(deepEqual(one, one)).toBe(true); // the same object needs no walk
    // Two references to one subtree, 60 levels down: 2^60 pairs if walked, so it stops early.
    const shared = (depth: number) => nested(depth, 0, (inner) => ({ l: inner, r: inner }));
    expect(deepEqual(shared(60), shared(60))).toBe(false);
    expect(deepEqual(shared(10), shared(10))).toBe(true);
  });

  it('the bound is MAX_COMPARED_PAIRS (defaults.ts): that many pairs compare, one more is "changed"', () => {
    expect(MAX_COMPARED_PAIRS).toBe(1_000_000);
    // The outer pair, then n pairs of empty arrays: the last one is pair number n.
    const empties = (n: number) => Array.from({ length: n }, () => []);
    expect(deepEqual(empties(MAX_COMPARED_PAIRS), empties(MAX_COMPARED_PAIRS))).toBe(true);
    expect(deepEqual(empties(MAX_COMPARED_PAIRS + 1), empties(MAX_COMPARED_PAIRS + 1))).toBe(false);
  });
});

import { MAX_COMPARED_PAIRS } from '../defaults.js';

/**
 * Structural equality for JSON-like data, so that a poll answering the same data keeps its
 * snapshot (and subscribers are not called). Dates compare by time, Maps and Sets by content,
 * other class instances by identity. A loop over a stack of pairs, not recursion: data nested
 * deeper than the call stack (a hostile server's) compares like any other.
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  const pairs: unknown[] = [a, b];
  for (let compared = 0; pairs.length > 0; compared++) {
    const y = pairs.pop();
    const x = pairs.pop();
    if (Object.is(x, y)) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (compared > MAX_COMPARED_PAIRS || !sameShape(x, y, pairs)) return false;
  }
  return true;
}

/** Whether `x` and `y` agree at their top level; pushes the pairs of members left to compare. */
function sameShape(x: object, y: object, pairs: unknown[]): boolean {
  if (x instanceof Date || y instanceof Date) {
    return x instanceof Date && y instanceof Date && x.getTime() === y.getTime();
  }
  if (x instanceof Map || y instanceof Map) {
    if (!(x instanceof Map && y instanceof Map) || x.size !== y.size) return false;
    for (const [key, value] of x) {
      if (!y.has(key)) return false;
      pairs.push(value, y.get(key));
    }
    return true;
  }
  if (x instanceof Set || y instanceof Set) {
    if (!(x instanceof Set && y instanceof Set) || x.size !== y.size) return false;
    for (const value of x) if (!y.has(value)) return false;
    return true;
  }
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x) && Array.isArray(y)) {
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) pairs.push(x[i], y[i]);
    return true;
  }
  const proto = Object.getPrototypeOf(x);
  // Plain objects compare by content; instances of other classes only by identity.
  if (proto !== Object.getPrototypeOf(y) || (proto !== Object.prototype && proto !== null)) {
    return false;
  }
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(y, key)) return false;
    pairs.push((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]);
  }
  return true;
}

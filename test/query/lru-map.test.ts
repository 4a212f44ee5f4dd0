import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/query/lru-map.js';

const keysOf = <K, V>(map: LruMap<K, V>) => [...map.entries()].map(([k]) => k);

describe('LruMap', () => {
  it('holds at most `limit` entries, evicting the least recently set', () => {
    const map = new LruMap<string, number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd', 'e'].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect(keysOf(map)).toEqual(['c', 'd', 'e']);
    expect(map.peek('a')).toBeUndefined();
    expect(map.peek('b')).toBeUndefined();
    expect(map.peek('e')).toBe(4);
  });

  it('get() makes an entry the most recent; peek() does not', () => {
    const map = new LruMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.get('a')).toBe(1); // a is now the most recent
    expect(map.peek('b')).toBe(2); // b stays the least recent
    map.set('d', 4);
    expect(keysOf(map)).toEqual(['c', 'a', 'd']);
    expect(map.get('missing')).toBeUndefined();
  });

  it('setting an existing key replaces its value and makes it the most recent, without evicting', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    expect(map.size).toBe(2);
    expect(keysOf(map)).toEqual(['b', 'a']);
    map.set('c', 3);
    expect(keysOf(map)).toEqual(['a', 'c']);
    expect(map.peek('a')).toBe(10);
  });

  it('evicts only evictable entries, the least recent of them first', () => {
    const pinned = new Set(['a', 'c']);
    const map = new LruMap<string, string>(3, (value) => !pinned.has(value));
    for (const key of ['a', 'b', 'c', 'd', 'e']) map.set(key, key);
    // a and c are pinned: b then d go, though a is older than both.
    expect(keysOf(map)).toEqual(['a', 'c', 'e']);
  });

  it('grows past the limit when nothing else may be evicted, and never evicts the entry just set', () => {
    const map = new LruMap<string, string>(2, (value) => value !== 'pinned');
    map.set('a', 'pinned');
    map.set('b', 'pinned');
    map.set('c', 'free'); // the only evictable entry is the one being set: it stays
    expect(map.size).toBe(3);
    expect(keysOf(map)).toEqual(['a', 'b', 'c']);
    map.set('d', 'free'); // c is evictable now; d is the one being set
    expect(keysOf(map)).toEqual(['a', 'b', 'd']);
  });

  it('delete() and clear() remove entries', () => {
    const map = new LruMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect([...map.values()]).toEqual([2]);
    map.clear();
    expect(map.size).toBe(0);
  });
});

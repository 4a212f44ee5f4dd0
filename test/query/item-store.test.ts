import { describe, expect, it } from 'vitest';
import { MissingItemError } from '../../src/errors.js';
import { ItemStore, PENDING } from '../../src/query/item-store.js';

const T = 1_000_000;

function store(maxItems = 100, gcMs = 5000) {
  return new ItemStore<string, { v: number }>(maxItems, gcMs);
}

describe('ItemStore snapshots', () => {
  it('a new item is pending (the shared PENDING object) and ensure() returns the same record again', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    expect(record.snapshot).toBe(PENDING);
    expect(record.idleSince).toBe(T);
    expect(s.ensure('a', 'a', T + 5)).toBe(record);
    expect(s.get('a')).toBe(record);
    expect(s.size).toBe(1);
  });

  it('data makes a success snapshot stamped with the time; equal data keeps the very same object', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    expect(s.apply(record, { kind: 'data', data: { v: 1 } }, T + 10)).toBe(true);
    const first = record.snapshot;
    expect(first).toEqual({
      status: 'success',
      data: { v: 1 },
      error: undefined,
      updatedAt: T + 10,
    });

    // Equal (not identical) data: nothing changed, no new snapshot, updatedAt stays.
    expect(s.apply(record, { kind: 'data', data: { v: 1 } }, T + 20)).toBe(false);
    expect(record.snapshot).toBe(first);
    expect(record.freshAt).toBe(T + 20);

    // Changed data: a new snapshot, new updatedAt.
    expect(s.apply(record, { kind: 'data', data: { v: 2 } }, T + 30)).toBe(true);
    expect(record.snapshot).not.toBe(first);
    expect(record.snapshot).toEqual({
      status: 'success',
      data: { v: 2 },
      error: undefined,
      updatedAt: T + 30,
    });
  });

  it('a 304 (not-modified) keeps the snapshot object and updatedAt, and counts as fresh', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    s.apply(record, { kind: 'data', data: { v: 1 } }, T + 10);
    const before = record.snapshot;
    expect(s.apply(record, { kind: 'not-modified' }, T + 50)).toBe(false);
    expect(record.snapshot).toBe(before);
    expect(record.snapshot.updatedAt).toBe(T + 10);
    expect(record.freshAt).toBe(T + 50);
  });

  it('an error keeps the last good data and updatedAt; it does not count as fresh', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    s.apply(record, { kind: 'data', data: { v: 1 } }, T + 10);
    const error = new Error('boom');
    expect(s.apply(record, { kind: 'error', error }, T + 20)).toBe(true);
    expect(record.snapshot).toEqual({
      status: 'error',
      data: { v: 1 },
      error,
      updatedAt: T + 10,
    });
    expect(record.freshAt).toBe(T + 10);
  });

  it('the same failure again (same class and message) does not change the snapshot; another one does', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    s.apply(record, { kind: 'error', error: new Error('boom') }, T + 10);
    const failed = record.snapshot;
    expect(failed.status).toBe('error');
    expect(failed.data).toBeUndefined();
    expect(s.apply(record, { kind: 'error', error: new Error('boom') }, T + 20)).toBe(false);
    expect(record.snapshot).toBe(failed);
    expect(s.apply(record, { kind: 'error', error: new Error('bang') }, T + 30)).toBe(true);
    expect((record.snapshot.error as Error).message).toBe('bang');
    const bang = record.snapshot;
    // Same message, different class: a different failure.
    const missing = new MissingItemError('a');
    expect(s.apply(record, { kind: 'error', error: missing }, T + 40)).toBe(true);
    expect(record.snapshot).not.toBe(bang);
    expect(record.snapshot.error).toBe(missing);
  });

  it('recovery with the same data clears the error but keeps updatedAt; with new data it stamps it', () => {
    const s = store();
    const record = s.ensure('a', 'a', T);
    s.apply(record, { kind: 'data', data: { v: 1 } }, T + 10);
    s.apply(record, { kind: 'error', error: new Error('boom') }, T + 20);
    expect(s.apply(record, { kind: 'data', data: { v: 1 } }, T + 30)).toBe(true);
    expect(record.snapshot).toEqual({
      status: 'success',
      data: { v: 1 },
      error: undefined,
      updatedAt: T + 10,
    });
    s.apply(record, { kind: 'error', error: new Error('boom') }, T + 40);
    expect(s.apply(record, { kind: 'not-modified' }, T + 50)).toBe(true);
    expect(record.snapshot.status).toBe('success');
    expect(record.snapshot.updatedAt).toBe(T + 10);
    s.apply(record, { kind: 'error', error: new Error('boom') }, T + 60);
    expect(s.apply(record, { kind: 'data', data: { v: 2 } }, T + 70)).toBe(true);
    expect(record.snapshot).toEqual({
      status: 'success',
      data: { v: 2 },
      error: undefined,
      updatedAt: T + 70,
    });
  });
});

describe('ItemStore garbage collection', () => {
  it('drops an unsubscribed item only after the grace period has passed', () => {
    const s = store(100, 5000);
    s.ensure('a', 'a', T);
    s.collect(T + 5000, () => false);
    expect(s.get('a')).toBeDefined(); // exactly the grace period: kept
    s.collect(T + 5001, () => false);
    expect(s.get('a')).toBeUndefined();
    expect(s.size).toBe(0);
  });

  it('keeps subscribed items and items with a read under way, however old', () => {
    const s = store(100, 5000);
    const subscribed = s.ensure('sub', 'sub', T);
    subscribed.listeners.add(() => {});
    subscribed.idleSince = null;
    s.ensure('busy', 'busy', T);
    s.ensure('idle', 'idle', T);
    s.collect(T + 60_000, (id) => id === 'busy');
    expect(s.get('sub')).toBe(subscribed);
    expect(s.get('busy')).toBeDefined();
    expect(s.get('idle')).toBeUndefined();
  });

  it('the grace period counts from when the item became idle', () => {
    const s = store(100, 5000);
    const record = s.ensure('a', 'a', T);
    record.idleSince = T + 10_000; // unsubscribed later
    s.collect(T + 14_000, () => false);
    expect(s.get('a')).toBe(record);
    s.collect(T + 15_001, () => false);
    expect(s.get('a')).toBeUndefined();
  });
});

describe('ItemStore bound', () => {
  it('holds at most maxItems, evicting the least recently used unsubscribed items', () => {
    const s = store(3);
    for (const id of ['a', 'b', 'c']) s.ensure(id, id, T);
    s.ensure('a', 'a', T); // a is used again: b is now the least recent
    s.ensure('d', 'd', T);
    expect(s.size).toBe(3);
    expect(s.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].every((id) => s.get(id) !== undefined)).toBe(true);
  });

  it('never evicts a subscribed item, even the least recently used one', () => {
    const s = store(2);
    const a = s.ensure('a', 'a', T);
    a.listeners.add(() => {});
    a.idleSince = null;
    const b = s.ensure('b', 'b', T);
    b.listeners.add(() => {});
    b.idleSince = null;
    s.ensure('c', 'c', T);
    s.ensure('d', 'd', T);
    // Both subscribed items stay; of the others only the newest fits (past the bound).
    expect(s.get('a')).toBe(a);
    expect(s.get('b')).toBe(b);
    expect(s.get('c')).toBeUndefined();
    expect(s.get('d')).toBeDefined();
    expect(s.size).toBe(3);
  });

  it('clear() empties the store', () => {
    const s = store();
    s.ensure('a', 'a', T);
    s.clear();
    expect(s.size).toBe(0);
    expect(s.get('a')).toBeUndefined();
  });
});

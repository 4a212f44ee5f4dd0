import { deepEqual } from './deep-equal.js';

export type SnapshotStatus = 'pending' | 'success' | 'error';

/**
 * What a subscriber sees of one poll or item. The object is replaced only when something a
 * subscriber cares about changes, so its identity is stable (fit for `useSyncExternalStore`).
 */
export interface Snapshot<T> {
  readonly status: SnapshotStatus;
  /** The last good data; kept while a later read fails. */
  readonly data: T | undefined;
  /** Why the last read failed; undefined after a success. */
  readonly error: unknown;
  /** When `data` last changed (epoch ms); a 304 or equal data leave it as it was. */
  readonly updatedAt: number | null;
}

export const PENDING: Snapshot<never> = Object.freeze({
  status: 'pending',
  data: undefined,
  error: undefined,
  updatedAt: null,
});

/** What one read ended with. */
export type Outcome<T> =
  | { kind: 'data'; data: T }
  | { kind: 'not-modified' }
  | { kind: 'error'; error: unknown };

/** Failures that say the same thing do not notify again. */
function sameError(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!(a instanceof Error) || !(b instanceof Error)) return false;
  return a.constructor === b.constructor && a.message === b.message;
}

/** The snapshot after `outcome`: `previous` itself when nothing a subscriber sees changed. */
export function nextSnapshot<T>(
  previous: Snapshot<T>,
  outcome: Outcome<T>,
  now: number,
): Snapshot<T> {
  if (outcome.kind === 'error') {
    return previous.status === 'error' && sameError(previous.error, outcome.error)
      ? previous
      : Object.freeze({ ...previous, status: 'error', error: outcome.error });
  }
  if (outcome.kind === 'not-modified' && previous.status === 'pending') return previous;
  const data = outcome.kind === 'data' ? outcome.data : previous.data;
  const unchanged =
    previous.status !== 'pending' &&
    (outcome.kind === 'not-modified' || deepEqual(previous.data, data));
  if (!unchanged)
    return Object.freeze({ status: 'success', data, error: undefined, updatedAt: now });
  return previous.status === 'error'
    ? Object.freeze({ ...previous, status: 'success', error: undefined })
    : previous;
}

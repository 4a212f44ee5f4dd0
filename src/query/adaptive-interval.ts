import { DEFAULTS, MAX_TIMER_MS } from '../defaults.js';
import { invalid } from '../errors.js';
import type { Snapshot } from './snapshot.js';

// Opt-in adaptive intervals of `poll()`: `interval` as a function of the poll's snapshot, and
// `stretch`, which lengthens the interval while the data comes back unchanged.

/** How a stretched interval grows per unchanged answer, and how far. */
export interface StretchSettings {
  readonly factor: number;
  readonly maxMs: number;
}

/** The `stretch` option with its defaults, or undefined when off. */
export function stretchSettings(
  option: boolean | { factor?: number | undefined; maxMs?: number | undefined } | undefined,
): StretchSettings | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULTS.stretch;
  // A key given as undefined takes its default too.
  return {
    factor: option.factor ?? DEFAULTS.stretch.factor,
    maxMs: option.maxMs ?? DEFAULTS.stretch.maxMs,
  };
}

/** What one run did to the shared data. */
export type Change = 'changed' | 'unchanged' | 'failed';

/** `next` after `previous` (snapshots of one poll): new data, the same data (304 or equal), or a failure. */
export function changeOf(previous: Snapshot<unknown>, next: Snapshot<unknown>, failed: boolean) {
  if (failed) return 'failed';
  // A change takes the new data and its time; equal data keeps the very object it had.
  return next.data !== previous.data || next.updatedAt !== previous.updatedAt
    ? 'changed'
    : 'unchanged';
}

/**
 * A subscriber's interval after a run: `base` without stretch; with it, the interval it had
 * times `factor` after an unchanged answer, `base` again after a change, as it was after a
 * failure (backoff handles those). Never below `base`, never above `maxMs` (or `base`, if more).
 */
export function nextInterval(
  current: number,
  base: number,
  stretch: StretchSettings | undefined,
  change: Change,
): number {
  if (stretch === undefined) return base;
  const grown =
    change === 'changed' ? base : change === 'unchanged' ? current * stretch.factor : current;
  return Math.min(Math.max(grown, base), Math.max(base, stretch.maxMs));
}

/**
 * What the interval function returns for `snapshot`, when it is a positive number of ms that
 * one timer can wait; else (a throw, NaN, 0, a string, a promise) `fallback`, and `report` is
 * told: the InvalidOptionsError naming `poll.interval` and the value, or what it threw.
 */
export function callInterval(
  intervalOf: (snapshot: Snapshot<never>) => number,
  snapshot: Snapshot<unknown>,
  fallback: number,
  report: (error: unknown) => void,
): number {
  let value: unknown;
  try {
    value = intervalOf(snapshot as Snapshot<never>);
  } catch (error) {
    report(error);
    return fallback;
  }
  if (typeof value === 'number' && value > 0 && value <= MAX_TIMER_MS) return value;
  report(
    invalid(
      'poll.interval',
      value,
      `must return a positive number of milliseconds, at most ${MAX_TIMER_MS}`,
    ),
  );
  return fallback;
}

import type { RunResult } from '../../playground/scenario.js';

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

type Numeric = { [K in keyof RunResult]: RunResult[K] extends number ? K : never }[keyof RunResult];

/** One result whose every number is the median of that number over `runs` (same client). */
export function medianResult(runs: readonly RunResult[]): RunResult {
  const first = runs[0];
  if (first === undefined) throw new Error('no runs');
  const result = { ...first };
  for (const key of Object.keys(first) as (keyof RunResult)[]) {
    if (typeof first[key] !== 'number') continue;
    const field = key as Numeric;
    result[field] = median(runs.map((r) => r[field]));
  }
  return result;
}

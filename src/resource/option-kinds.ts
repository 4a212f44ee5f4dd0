import * as z from 'zod/mini';
import { MAX_TIMER_MS } from '../defaults.js';
import type { Path, Problem } from '../options/check.js';
import { assertObject, optionsError, ownOnly } from '../options/validate.js';

// The zod kinds of value the resource options are made of, and how a zod result becomes an
// InvalidOptionsError. Only `pollwise/resource` imports this file: the core validates its flat
// options by hand (src/options/check.ts), so a poll-only app carries no zod.

/**
 * A value `test` accepts, else `must be ${what}`. One custom schema per kind of value (not
 * z.number, z.string, z.boolean, z.enum, z.instanceof): each zod schema kind a bundle uses costs
 * bytes, and like those kinds a failed test stops the checks after it.
 */
export const is = <T>(test: (v: unknown) => boolean, what: string) =>
  z.custom<T>(test, { error: `must be ${what}` });

export const string = (what = 'a string') => is<string>((v) => typeof v === 'string', what);

/** A finite number (as z.number takes) for which `check` holds. */
const number = (what: string, check: (n: number) => boolean) =>
  is<number>((v) => typeof v === 'number' && Number.isFinite(v), what).check(
    z.refine(check, { error: `must be ${what}` }),
  );

export const positiveMs = number('a positive number of milliseconds', (n) => n > 0);
export const nonNegativeMs = number('a number of milliseconds, 0 or more', (n) => n >= 0);
/** A timer's delay: past 2^31-1 ms, timers fire at once. */
export const timerMs = number(
  `a number of milliseconds, from 0 to ${MAX_TIMER_MS}`,
  (n) => n >= 0 && n <= MAX_TIMER_MS,
);
export const count = number('a positive integer', (n) => Number.isInteger(n) && n > 0);
export const hiddenInterval = z.union([z.literal(false), positiveMs], {
  error: 'must be a positive number of milliseconds, or false to pause while hidden',
});

export const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
    error: `must be ${what}`,
  });

export const standardSchema = z.custom<object>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function',
  { error: 'must be a Standard Schema (zod 4, valibot, arktype, ...)' },
);

function toProblems(issue: z.core.$ZodIssue): Problem[] {
  const path = issue.path as Path;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: 'is not a known option' }));
  }
  const message =
    issue.message && issue.message !== 'Invalid input'
      ? issue.message
      : `is invalid (${issue.code})`;
  return [{ path, message }];
}

/**
 * Parses `input` with `schema`; throws one InvalidOptionsError naming every bad option and its
 * value. Never lets a TypeError from deep inside escape.
 */
export function validateZodOptions<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  root: string,
): z.output<S> {
  assertObject(input, root);
  // Own properties only, before and after: zod would read an inherited `fetch` as if given.
  const result = schema.safeParse(ownOnly(input ?? {}));
  if (result.success) return ownOnly(result.data) as z.output<S>;
  throw optionsError(result.error.issues.flatMap(toProblems), input, root);
}

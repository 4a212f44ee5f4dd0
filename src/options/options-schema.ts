import * as z from 'zod/mini';
import { parseHostPattern } from '../policy/host-pattern.js';

// Plain options only: resource options live with `pollwise/resource`, so a poll-only app
// never carries them.

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
const fraction = number('a number from 0 to 1', (n) => n >= 0 && n <= 1);
export const count = number('a positive integer', (n) => Number.isInteger(n) && n > 0);
export const hiddenInterval = z.union([z.literal(false), positiveMs], {
  error: 'must be a positive number of milliseconds, or false to pause while hidden',
});

export const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
    error: `must be ${what}`,
  });

/** An object whose listed members are functions (a duck-typed interface). */
const methods = (what: string, names: readonly string[]) =>
  z.custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      names.every((name) => typeof (v as Record<string, unknown>)[name] === 'function'),
    { error: `must be ${what}` },
  );

const hostPattern = string().check(
  z.refine((s) => parseHostPattern(s) !== null, {
    error:
      'is not a host pattern; use a host ("localhost", "api.example.com:8443"), a wildcard ("*.hf.space") or an origin ("https://api.example.com")',
  }),
);

export const hostPolicySchema = z.strictObject({
  match: hostPattern,
  interval: z.optional(positiveMs),
  hiddenInterval: z.optional(hiddenInterval),
  maxConcurrent: z.optional(count),
});

export const pollerOptionsSchema = z.strictObject({
  interval: z.optional(positiveMs),
  loopbackInterval: z.optional(positiveMs),
  hiddenInterval: z.optional(hiddenInterval),
  hosts: z.optional(z.array(hostPolicySchema, { error: 'must be an array of host policies' })),
  jitter: z.optional(fraction),
  timeout: z.optional(
    z.union([z.literal(false), positiveMs], {
      error: 'must be a positive number of milliseconds, or false for no timeout',
    }),
  ),
  baseUrl: z.optional(
    string().check(
      z.refine((s) => URL.canParse(s), {
        error: 'must be an absolute URL',
      }),
    ),
  ),
  cooldown: z.optional(
    z.strictObject({
      defaultMs: z.optional(nonNegativeMs),
      maxMs: z.optional(nonNegativeMs),
      jitter: z.optional(fraction),
    }),
  ),
  backoff: z.optional(
    z.strictObject({
      baseMs: z.optional(positiveMs),
      capMs: z.optional(positiveMs),
    }),
  ),
  breaker: z.optional(
    z.union(
      [
        z.literal(false),
        z.strictObject({
          windowSize: z.optional(
            number(
              'an integer from 1 to 10000',
              (n) => Number.isInteger(n) && n >= 1 && n <= 10_000,
            ),
          ),
          windowMs: z.optional(positiveMs),
          minRequests: z.optional(count),
          failureRatio: z.optional(number('a number above 0, at most 1', (n) => n > 0 && n <= 1)),
          openMs: z.optional(positiveMs),
        }),
      ],
      {
        error:
          'must be breaker settings { windowSize?, windowMs?, minRequests?, failureRatio?, openMs? }, or false',
      },
    ),
  ),
  maxConcurrent: z.optional(count),
  maxTrackedOrigins: z.optional(count),
  fetch: z.optional(fn('a fetch function')),
  clock: z.optional(
    methods('a clock { now, setTimeout, clearTimeout }', ['now', 'setTimeout', 'clearTimeout']),
  ),
  visibility: z.optional(
    z.union([z.literal(false), methods('a visibility source', ['isVisible', 'subscribe'])], {
      error: 'must be a visibility source { isVisible, subscribe }, or false to ignore visibility',
    }),
  ),
  online: z.optional(
    z.union([z.literal(false), methods('an online source', ['isOnline', 'subscribe'])], {
      error: 'must be an online source { isOnline, subscribe }, or false to ignore online state',
    }),
  ),
  random: z.optional(fn('a function returning a number in [0, 1)')),
});

export const standardSchema = z.custom<object>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function',
  { error: 'must be a Standard Schema (zod 4, valibot, arktype, ...)' },
);

const headersInit = z.custom<object>(
  (v) => typeof v === 'function' || (typeof v === 'object' && v !== null) || false,
  {
    error:
      'must be headers (an object, a Headers, [name, value] pairs) or a function returning them',
  },
);

export const pollOptionsSchema = z.strictObject({
  url: z.optional(
    is<string | URL>((v) => typeof v === 'string' || v instanceof URL, 'a URL string or URL'),
  ),
  origin: z.optional(string('an origin string')),
  key: z.optional(string()),
  interval: z.optional(positiveMs),
  hiddenInterval: z.optional(hiddenInterval),
  immediate: z.optional(is<boolean>((v) => typeof v === 'boolean', 'true or false')),
  headers: z.optional(headersInit),
  credentials: z.optional(
    is<RequestCredentials>(
      (v) => v === 'omit' || v === 'same-origin' || v === 'include',
      'omit, same-origin or include',
    ),
  ),
  schema: z.optional(standardSchema),
  select: z.optional(fn('a function from the data to what this subscriber sees')),
  onData: z.optional(fn('a function')),
  onError: z.optional(fn('a function')),
});

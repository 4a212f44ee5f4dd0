import { MAX_TIMER_MS } from '../defaults.js';
import { parseHostPattern } from '../policy/host-pattern.js';
import { array, type Check, is, number, object, orFalse, orLiterals, refine } from './check.js';

// The options of `createPoller()` and `poll()`. Resource options live with `pollwise/resource`
// (validated there with zod), so a poll-only app never carries them.

const positiveMs = number('a positive number of milliseconds', (n) => n > 0);
const nonNegativeMs = number('a number of milliseconds, 0 or more', (n) => n >= 0);
// A delay that is one timer: past the timers' limit it would fire at once.
const timerMs = (what: string, test: (n: number) => boolean) =>
  number(`${what}, at most ${MAX_TIMER_MS}`, (n) => test(n) && n <= MAX_TIMER_MS);
const positiveTimerMs = timerMs('a positive number of milliseconds', (n) => n > 0);
const nonNegativeTimerMs = timerMs('a number of milliseconds, 0 or more', (n) => n >= 0);
const fraction = number('a number from 0 to 1', (n) => n >= 0 && n <= 1);
const count = number('a positive integer', (n) => Number.isInteger(n) && n > 0);
const hiddenInterval = orFalse(positiveMs, 'a positive number of milliseconds, or false');

const string = (what = 'a string') => is((v) => typeof v === 'string', what);
const fn = (what: string) => is((v) => typeof v === 'function', what);

/** An object whose listed members are functions (a duck-typed interface). */
const methods = (what: string, names: readonly string[]): Check =>
  is(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      names.every((name) => typeof (v as Record<string, unknown>)[name] === 'function'),
    what,
  );

const hostPolicy = object(
  {
    match: refine<string>(
      string(),
      (s) => parseHostPattern(s) !== null,
      'is not a host pattern ("api.example.com:8443", "*.hf.space" or "https://api.example.com")',
    ),
    interval: positiveMs,
    hiddenInterval,
    maxConcurrent: count,
  },
  ['match'],
);

export const pollerOptions = object({
  interval: positiveMs,
  loopbackInterval: positiveMs,
  hiddenInterval,
  hosts: array(hostPolicy, 'an array of host policies'),
  jitter: fraction,
  // A deadline is one timer: past the timers' limit it would fire at once (long waits chain).
  timeout: orFalse(positiveTimerMs, 'a positive number of milliseconds, or false'),
  baseUrl: refine<string>(string(), (s) => URL.canParse(s), 'must be an absolute URL'),
  cooldown: object({ defaultMs: nonNegativeMs, maxMs: nonNegativeMs, jitter: fraction }),
  backoff: object({ baseMs: positiveMs, capMs: positiveMs }),
  breaker: orFalse(
    object({
      windowSize: number(
        'an integer from 1 to 10000',
        (n) => Number.isInteger(n) && n >= 1 && n <= 10_000,
      ),
      windowMs: positiveMs,
      minRequests: count,
      failureRatio: number('a number above 0, at most 1', (n) => n > 0 && n <= 1),
      openMs: positiveMs,
    }),
    'breaker settings (an object), or false',
  ),
  maxConcurrent: count,
  maxTrackedOrigins: count,
  // Budget-aware pacing per origin (see DEFAULTS.pacing); its waits are timers.
  pacing: orFalse(
    object({
      reserve: number('an integer, 0 or more', (n) => Number.isSafeInteger(n) && n >= 0),
      discoverMs: nonNegativeTimerMs,
      assumedWindowMs: positiveTimerMs,
      resetMarginMs: nonNegativeTimerMs,
      probeEvery: count,
      forgetMs: positiveTimerMs,
    }),
    'pacing settings (an object), or false',
  ),
  fetch: fn('a fetch function'),
  clock: methods('a clock { now, setTimeout, clearTimeout }', [
    'now',
    'setTimeout',
    'clearTimeout',
  ]),
  visibility: orFalse(
    methods('a visibility source', ['isVisible', 'subscribe']),
    'a visibility source { isVisible, subscribe }, or false',
  ),
  online: orFalse(
    methods('an online source', ['isOnline', 'subscribe']),
    'an online source { isOnline, subscribe }, or false',
  ),
  random: fn('a function'),
});

/** A poll's interval: ms, or a function of the poll's snapshot (its result is checked per call). */
const pollInterval: Check = (value, path, problems) =>
  typeof value === 'function'
    ? value
    : number('a positive number of milliseconds, or a function returning one', (n) => n > 0)(
        value,
        path,
        problems,
      );

export const pollOptions = object({
  url: is((v) => typeof v === 'string' || v instanceof URL, 'a URL string or URL'),
  origin: string('an origin string'),
  key: string(),
  interval: pollInterval,
  hiddenInterval,
  // The interval grows while data comes back unchanged (see DEFAULTS.stretch).
  stretch: orLiterals(
    [true, false],
    object({
      factor: number('a number above 1', (n) => n > 1),
      maxMs: positiveTimerMs,
    }),
    'true, false or stretch settings { factor, maxMs }',
  ),
  immediate: is((v) => typeof v === 'boolean', 'true or false'),
  headers: is(
    (v) => typeof v === 'function' || (typeof v === 'object' && v !== null && validHeaders(v)),
    'a HeadersInit, or a function returning one',
  ),
  credentials: is(
    (v) => v === 'omit' || v === 'same-origin' || v === 'include',
    'omit, same-origin or include',
  ),
  schema: is(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      typeof (v as { '~standard'?: { validate?: unknown } })['~standard']?.validate === 'function',
    'a Standard Schema',
  ),
  select: fn('a function'),
  onData: fn('a function'),
  onError: fn('a function'),
});

/** Whether `fetch` would take these headers (a bad name or value throws there, not here). */
function validHeaders(value: object): boolean {
  try {
    new Headers(value as HeadersInit);
    return true;
  } catch {
    return false;
  }
}

/** Base class of every error pollwise creates; `code` names the kind. */
export class PollwiseError extends Error {
  override name = 'PollwiseError';
  readonly code: string = 'pollwise';
}

/**
 * instanceof, or the same name and code: two copies of pollwise (its ESM and CJS builds, or two
 * bundles) must agree on what an error is, and another library's TimeoutError must not pass.
 */
const isNamed = (error: unknown, name: string, code: string): boolean =>
  typeof error === 'object' &&
  error !== null &&
  (error as { name?: unknown }).name === name &&
  (error as { code?: unknown }).code === code;

/**
 * A request pollwise refused before it reached the network, because its origin is closed for
 * now. Retry at `retryAt` (epoch ms), i.e. in `retryAfterMs`. Never a failure of the host.
 */
export abstract class RequestRefusedError extends PollwiseError {
  abstract override readonly code: 'cooldown' | 'breaker-open';
  readonly retryAfterMs: number;
  constructor(
    readonly origin: string,
    readonly retryAt: number,
    now: number,
    why: string,
  ) {
    const retryAfterMs = Math.max(0, Math.ceil(retryAt - now));
    super(`pollwise: ${origin} ${why}; retry in ${retryAfterMs} ms`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Refused because the origin is cooling down after a 429/503. */
export class CooldownError extends RequestRefusedError {
  override name = 'CooldownError';
  override readonly code = 'cooldown';
  constructor(origin: string, retryAt: number, now: number) {
    super(origin, retryAt, now, 'is cooling down after a rate limit');
  }
}

/**
 * Refused because the origin's circuit breaker is open (too many 5xx, timeouts or network
 * errors); at `retryAt` one probe may go.
 */
export class BreakerOpenError extends RequestRefusedError {
  override name = 'BreakerOpenError';
  override readonly code = 'breaker-open';
  constructor(origin: string, retryAt: number, now: number) {
    super(origin, retryAt, now, 'is failing; its circuit breaker is open');
  }
}

/** The poller was disposed; it makes no more requests. */
export class PollerDisposedError extends PollwiseError {
  override name = 'PollerDisposedError';
  override readonly code = 'disposed';
  constructor() {
    super('pollwise: the poller is disposed');
  }
}

/** One invalid option: where it is, what it held, and what was expected. */
export interface OptionIssue {
  /** Dotted path of the option, e.g. `hosts[1].match`. */
  option: string;
  value: unknown;
  message: string;
}

/** Thrown by `createPoller()` and `poll()` for invalid options; lists every problem at once. */
export class InvalidOptionsError extends PollwiseError {
  override name = 'InvalidOptionsError';
  override readonly code = 'invalid-options';
  constructor(readonly issues: readonly OptionIssue[]) {
    super(
      `pollwise: invalid options:\n${issues
        .map((i) => `  - ${i.option}: ${i.message}, got ${describeValue(i.value)}`)
        .join('\n')}`,
    );
  }
}

/** An InvalidOptionsError of one option. */
export const invalid = (option: string, value: unknown, message: string) =>
  new InvalidOptionsError([{ option, value, message }]);

/** Any error pollwise created (from this copy of the package or another). */
export function isPollwiseError(error: unknown): error is PollwiseError {
  return (
    error instanceof PollwiseError ||
    (error instanceof Error &&
      typeof (error as { code?: unknown }).code === 'string' &&
      error.message.startsWith('pollwise: '))
  );
}

export function isCooldownError(error: unknown): error is CooldownError {
  return error instanceof CooldownError || isNamed(error, 'CooldownError', 'cooldown');
}

/** A request pollwise refused before the network (cooldown or open breaker): not a failure. */
export function isRefusal(error: unknown): error is CooldownError | BreakerOpenError {
  return (
    error instanceof RequestRefusedError ||
    isCooldownError(error) ||
    isNamed(error, 'BreakerOpenError', 'breaker-open')
  );
}

/** A request that did not complete (headers and body) within its deadline. */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return error instanceof TimeoutError || isNamed(error, 'TimeoutError', 'timeout');
}

/** A response with a status outside 2xx, where pollwise expected data. */
export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError || isNamed(error, 'HttpError', 'http');
}

export function describeValue(value: unknown): string {
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'bigint') return `${value}n`;
  // NaN and Infinity, not "null"; a symbol as Symbol(description).
  if (typeof value === 'number' || typeof value === 'symbol') return String(value);
  try {
    // Functions and bigints inside objects would vanish or throw in plain JSON.
    const json = JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'function' ? '[function]' : typeof v === 'bigint' ? `${v}n` : v,
    );
    if (json === undefined) return String(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return 'an object that cannot be read'; // a revoked Proxy
    }
  }
}

/** A batch response did not list a key that was asked for. */
export class MissingItemError extends PollwiseError {
  override name = 'MissingItemError';
  override readonly code = 'missing-item';
  constructor(readonly key: unknown) {
    super(`pollwise: the batch response has no entry for key ${describeValue(key)}`);
  }
}

/**
 * A resource read that did not go out, or was cut short, while its origin was closed (paused,
 * hidden, offline, cooling down, breaker open) or its sweep stopped. Not a failure: nothing was
 * learned of the item, which stays as it was and is read again when it is next due.
 */
export class ReadSkippedError extends PollwiseError {
  override name = 'ReadSkippedError';
  override readonly code = 'skipped';
  constructor(readonly key: unknown) {
    super(`pollwise: the read of key ${describeValue(key)} was skipped; it is still due`);
  }
}

/** One issue of a Standard Schema validation. */
export interface SchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** An item's data failed its schema; `issues` says why. */
export class ValidationError extends PollwiseError {
  override name = 'ValidationError';
  override readonly code = 'validation';
  constructor(
    readonly key: unknown,
    readonly issues: readonly SchemaIssue[],
  ) {
    super(
      `pollwise: item ${describeValue(key)} failed validation: ${issues
        .slice(0, 3)
        .map((i) => i.message)
        .join('; ')}`,
    );
  }
}

/** A response could not be read as the resource expects (invalid JSON, wrong shape). */
export class UnexpectedResponseError extends PollwiseError {
  override name = 'UnexpectedResponseError';
  override readonly code = 'unexpected-response';
  constructor(
    readonly url: string,
    readonly status: number,
    reason: string,
  ) {
    super(`pollwise: unexpected response from ${url} (status ${status}): ${reason}`);
  }
}

/** A response pollwise read for data answered outside 2xx. `status` and `headers` say how. */
export class HttpError extends PollwiseError {
  override name = 'HttpError';
  override readonly code = 'http';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly headers: Headers,
  ) {
    super(`pollwise: ${url} answered ${status}`);
  }
}

/** The exchange (headers and body) did not complete within `timeoutMs`. */
export class TimeoutError extends PollwiseError {
  override name = 'TimeoutError';
  override readonly code = 'timeout';
  constructor(
    readonly url: string,
    readonly timeoutMs: number,
  ) {
    super(`pollwise: ${url} did not complete within ${timeoutMs} ms`);
  }
}

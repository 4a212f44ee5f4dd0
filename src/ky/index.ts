// "pollwise/ky": the ky integration. Only apps that import it carry ky.
import ky, { type KyInstance, type Options } from 'ky';
import { coreOf } from '../core/poller-core.js';
import { InvalidOptionsError, isRefusal } from '../errors.js';
import type { Poller } from '../poller.js';
import type { Door } from '../transport/door.js';
import type { FetchFunction } from '../transport/fetch-function.js';

/**
 * ky's `beforeError` hook as both majors call it: ky 1 passes `(error, state)` (HTTP errors
 * only), ky 2 passes `({ error, request, options, retryCount })` (every error, timeouts too).
 * It returns the error it was given, untouched.
 */
export interface PoliteBeforeErrorHook {
  <E extends Error>(error: E, state?: unknown): E;
  (state: { error: Error; request?: Request }): Error;
}

/** ky's `retry.shouldRetry` (ky 1.10+ and 2.x): false stops, true forces, undefined defers. */
export type ShouldRetry = (state: {
  error: Error;
  retryCount: number;
}) => boolean | undefined | Promise<boolean | undefined>;

/** ky's options as far as this integration sets them: assignable to ky 1.x and 2.x options. */
export interface KyExtension {
  fetch: FetchFunction;
  hooks: { beforeError: PoliteBeforeErrorHook[] };
  retry: { limit?: number; shouldRetry: ShouldRetry };
}

/** One hook per poller, so that extending twice does not count a timeout twice. */
const timeoutHooks = new WeakMap<Door, PoliteBeforeErrorHook>();

function timeoutHook(door: Door): PoliteBeforeErrorHook {
  let hook = timeoutHooks.get(door);
  if (hook === undefined) {
    hook = ((argument: Error | { error: Error; request?: Request }) => {
      const state = argument instanceof Error ? undefined : argument;
      const error = state === undefined ? (argument as Error) : state.error;
      if (error?.name === 'TimeoutError') {
        const request = state?.request ?? (error as { request?: Request }).request;
        if (typeof request?.url === 'string') door.timedOut(new URL(request.url).origin);
      }
      return error;
    }) as PoliteBeforeErrorHook;
    timeoutHooks.set(door, hook);
  }
  return hook;
}

/** The parts of a parent ky instance's options that politeKy reads. */
interface ParentOptions {
  fetch?: unknown;
  hooks?: { beforeError?: readonly unknown[] } | undefined;
  retry?: unknown;
}

/**
 * The parent's retry options, with refusals never retried: a refused request did not reach the
 * network, and the poller's cooldown or breaker, not ky's backoff, says when to try again
 * (ky 1 retries every non-HTTP error, so it would retry a refusal). The parent's limit and its
 * own shouldRetry are kept.
 */
function retryOption(parent: unknown): KyExtension['retry'] {
  const own =
    typeof parent === 'object' && parent !== null
      ? (parent as { shouldRetry?: unknown }).shouldRetry
      : undefined;
  const shouldRetry: ShouldRetry = (state) => {
    if (isRefusal(state.error)) return false;
    return typeof own === 'function' ? (own as ShouldRetry)(state) : undefined;
  };
  // A number is the limit; an object parent is deep-merged by ky under this one.
  return typeof parent === 'number' ? { limit: parent, shouldRetry } : { shouldRetry };
}

/**
 * Options for an app's own ky instance (ky 1.x or 2.x), so that its requests pass the poller's
 * door exactly once: `const api = myKy.extend(politeKy(poller))`.
 *
 * - The instance's own `fetch` is wrapped; a fetch the poller already wraps
 *   (`fetch: poller.wrapFetch()`) is used as is, never admitted or counted twice. Without a
 *   `fetch` of its own, the instance uses the poller's.
 * - ky's own timeouts, which the fetch only sees as aborts, count against the host's breaker
 *   through a `beforeError` hook. ky 2 calls `beforeError` for timeouts; **ky 1 does not**
 *   (only for HTTP errors), so with ky 1 a ky timeout is an abort that the breaker never sees.
 * - A refused request (CooldownError, BreakerOpenError) is never retried by ky; the instance's
 *   retry limit and its own `retry.shouldRetry` are kept for everything else.
 */
export function politeKy(poller: Poller): (parent?: ParentOptions) => KyExtension {
  const { door } = coreOf(poller);
  const hook = timeoutHook(door);
  return (parent) => ({
    fetch: poller.wrapFetch(
      typeof parent?.fetch === 'function' ? (parent.fetch as FetchFunction) : undefined,
    ),
    hooks: { beforeError: parent?.hooks?.beforeError?.includes(hook) ? [] : [hook] },
    retry: retryOption(parent?.retry),
  });
}

/** ky 2 option names that the ky 1 inside createKy() would silently ignore. */
const KY2_ONLY = { prefix: 'prefixUrl', baseUrl: 'prefixUrl' } as const;

/**
 * A ky instance (ky 1.x, pollwise's dependency) on the poller's door, with pollwise's defaults:
 * no ky retries (the poller's cooldowns and breaker decide when to try again) and ky's own
 * timeout off unless `options` sets one. Extra `options` are ky 1 options (prefixUrl, headers,
 * hooks, ...); ky 2's `prefix` and `baseUrl` are refused with an InvalidOptionsError.
 */
export function createKy(poller: Poller, given?: Options | null): KyInstance {
  const options = given ?? {};
  const issues = Object.entries(KY2_ONLY)
    .filter(([name]) => Object.hasOwn(options, name))
    .map(([name, instead]) => ({
      option: `createKy.${name}`,
      value: (options as Record<string, unknown>)[name],
      message: `is a ky 2 option; createKy() uses ky 1, use ${instead}`,
    }));
  if (issues.length > 0) throw new InvalidOptionsError(issues);
  return ky.create({ retry: 0, timeout: false, ...options }).extend(politeKy(poller));
}

// "pollwise/ky": the ky integration. Only apps that import it carry ky.
import ky, { type KyInstance, type Options } from 'ky';
import { coreOf } from '../core/poller-core.js';
import type { Poller } from '../poller.js';
import type { FetchFunction } from '../transport/fetch-function.js';

/** ky's options as far as this integration reads and writes them (ky 1.x and 2.x alike). */
export interface KyExtension {
  fetch: FetchFunction;
  hooks: { beforeError: ((...args: never[]) => unknown)[] };
}

/** ky 1 passes the error; ky 2 passes `{ error, request, ... }`. */
type BeforeErrorArgument = Error | { error: Error };

/**
 * Options for an app's own ky instance (ky 1.x or 2.x), so that its requests pass the poller's
 * door exactly once: `const api = myKy.extend(politeKy(poller))`. The instance's own `fetch` is
 * wrapped (a fetch the poller already wraps is used as is, never counted twice), and ky's
 * timeouts, which the fetch only sees as aborts, count against the host's breaker.
 */
export function politeKy(poller: Poller): (parent?: { fetch?: unknown }) => KyExtension {
  const { door } = coreOf(poller);
  const noteTimeout = (argument: BeforeErrorArgument) => {
    const error = argument instanceof Error ? argument : argument.error;
    const request = (error as { request?: Request }).request;
    if (error?.name === 'TimeoutError' && request !== undefined) {
      door.timedOut(new URL(request.url).origin);
    }
    return error;
  };
  return (parent) => ({
    fetch: poller.wrapFetch(
      typeof parent?.fetch === 'function' ? (parent.fetch as FetchFunction) : undefined,
    ),
    hooks: { beforeError: [noteTimeout as never] },
  });
}

/**
 * A ky instance on the poller's door, with pollwise's defaults: no ky retries (the poller's
 * cooldowns and backoff decide when to try again) and ky's own timeout off unless `options`
 * sets one. Extra `options` are ky options (prefixUrl/prefix, headers, hooks, ...).
 */
export function createKy(poller: Poller, options: Options = {}): KyInstance {
  return ky.create({ retry: 0, timeout: false, ...options }).extend(politeKy(poller) as never);
}

import { PollerDisposedError } from '../errors.js';
import type { ResolvedPolicy } from '../policy/host-policies.js';
import type { Door } from '../transport/door.js';
import type { FetchFunction } from '../transport/fetch-function.js';
import { stretchSettings } from './adaptive-interval.js';
import { pollArguments } from './poll-arguments.js';
import type { PollQueries, Subscription } from './poll-query.js';
import { runTask } from './task-context.js';
import { identity, requestIdentity, requestOptionsIdentity, urlRequest } from './url-request.js';

export interface PollDeps {
  queries: PollQueries;
  door: Door;
  politeFetch: FetchFunction;
  baseUrl: () => string | undefined;
  resolvePolicy: (url: URL) => ResolvedPolicy;
  isDisposed: () => boolean;
}

/** `poller.poll()`: URL polls and task polls, each a subscription to a shared poll. */
export function createPoll(deps: PollDeps) {
  const { queries, door, baseUrl } = deps;
  return (taskOrUrl: unknown, rawOptions?: unknown): Subscription<unknown> => {
    if (deps.isDisposed()) throw new PollerDisposedError();
    const { url, task, options } = pollArguments(taskOrUrl, rawOptions, baseUrl());
    const policy = deps.resolvePolicy(url);
    const { key, interval } = options;
    // Polls sharing a key must send the same kind of request: same origin, and the same
    // headers, credentials and schema (the URL may differ, e.g. by a cache buster), or the same task.
    const fingerprint =
      task === undefined
        ? `${url.origin} ${requestOptionsIdentity(options)}`
        : `task ${identity(task)} ${url.origin}`;
    return queries.subscribe(
      {
        // Tasks share a run only under an explicit key; URL polls also by URL and request options.
        id: key ?? (task === undefined ? requestIdentity(url, options) : undefined),
        key,
        origin: url.origin,
        fingerprint,
        run:
          task === undefined
            ? (state) => urlRequest(door, url, key ?? url.href, options, state)
            : () => (signal) => runTask(deps, task, url.href, signal),
      },
      {
        interval: typeof interval === 'number' ? interval : policy.interval,
        intervalOf: typeof interval === 'function' ? interval : undefined,
        stretch: stretchSettings(options.stretch),
        hiddenInterval: options.hiddenInterval ?? policy.hiddenInterval,
        immediate: options.immediate !== false,
        select: options.select,
        onData: options.onData,
        onError: options.onError,
      },
    );
  };
}

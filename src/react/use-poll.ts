import { useInsertionEffect, useState } from 'react';
import { liveOptions, pollIdentity } from '../adapters/live-options.js';
import type { DataOf, Poller } from '../poller.js';
import type { TaskPollOptions, UrlPollOptions } from '../query/poll-arguments.js';
import type { PollContext, PollTask } from '../query/poll-context.js';
import type { Snapshot } from '../query/snapshot.js';
import type { StandardSchemaV1 } from '../query/standard-schema.js';
import { usePoller } from './poller-context.js';
import { useSource } from './use-source.js';

/** What the hooks add to `poll()`'s options: the poller, when not the provider's. */
export interface UsePollOptions {
  poller?: Poller;
}

/**
 * Polls `url` (or runs `task`) while the component is mounted and returns its snapshot:
 * `{ status, data, error, updatedAt }`. The same object until the data this component sees
 * changes, so unchanged answers do not re-render. Options may be written inline: callbacks,
 * `select`, a headers or interval function and the task are read afresh; changing the URL or
 * what the request is (key, headers, credentials, schema, interval, …) starts a new poll.
 * `null` or `undefined` polls nothing (pending).
 */
export function usePoll<S extends StandardSchemaV1 | undefined = undefined, TSelected = DataOf<S>>(
  url: string | URL | null | undefined,
  options?: UrlPollOptions<DataOf<S>, TSelected> & { schema?: S } & UsePollOptions,
): Snapshot<TSelected>;
export function usePoll<T, TSelected = T>(
  url: string | URL | null | undefined,
  options?: UrlPollOptions<T, TSelected> & UsePollOptions,
): Snapshot<TSelected>;
export function usePoll<T, TSelected = T>(
  task: PollTask<T> | null | undefined,
  options: TaskPollOptions<T, TSelected> & UsePollOptions,
): Snapshot<TSelected>;
export function usePoll(
  target: string | URL | PollTask<unknown> | null | undefined,
  given: UsePollOptions & object = {},
): Snapshot<unknown> {
  const options = given as Record<string, unknown> & UsePollOptions;
  const poller = usePoller(options.poller);
  const [latest] = useState(() => ({ current: options, task: target }));
  // What the live wrappers call: the committed render's options, never a discarded render's.
  useInsertionEffect(() => {
    latest.current = options;
    latest.task = target;
  });
  const identity =
    target === null || target === undefined ? undefined : pollIdentity(poller, target, options);
  // A poll subscription is a source as it is.
  return useSource(identity, () =>
    poller.poll(
      // An unkeyed task is read live: an inline arrow each render is the same poll. A keyed one
      // is shared by the core, which knows tasks by identity: it goes as it is.
      (typeof target === 'function' && !options.key
        ? (context: PollContext) => (latest.task as PollTask<unknown>)(context)
        : target) as string,
      liveOptions(latest),
    ),
  );
}

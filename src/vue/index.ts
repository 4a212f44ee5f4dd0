// "pollwise/vue": composables over the poller's subscriptions, returning refs. Vue is a peer
// dependency; nothing else of pollwise is imported at run time.
import {
  type App,
  type ComputedRef,
  computed,
  getCurrentInstance,
  type InjectionKey,
  inject,
  type MaybeRefOrGetter,
  onActivated,
  onDeactivated,
  onMounted,
  onScopeDispose,
  provide,
  type ShallowRef,
  shallowRef,
  toValue,
  watch,
} from 'vue';
import {
  PENDING_SNAPSHOT,
  pollSource,
  resourceSource,
  type SnapshotSource,
  samePending,
} from '../adapters/snapshot-source.js';
import type { DataOf, Poller } from '../poller.js';
import type { TaskPollOptions, UrlPollOptions } from '../query/poll-arguments.js';
import type { PollTask } from '../query/poll-context.js';
import type { Snapshot, SnapshotStatus } from '../query/snapshot.js';
import type { StandardSchemaV1 } from '../query/standard-schema.js';
import type { Resource, SubscribeOptions } from '../resource/types.js';

export const POLLER_KEY: InjectionKey<Poller> = Symbol('pollwise poller');

/** `app.use(pollwisePlugin(poller))`: every composable in the app uses this poller. */
export function pollwisePlugin(poller: Poller) {
  return { install: (app: App) => void app.provide(POLLER_KEY, poller) };
}

/** Gives the components below this one a poller. */
export function providePoller(poller: Poller): void {
  provide(POLLER_KEY, poller);
}

/** The snapshot as refs, plus `refresh()`. */
export interface PollRefs<T> {
  snapshot: Readonly<ShallowRef<Snapshot<T>>>;
  status: ComputedRef<SnapshotStatus>;
  data: ComputedRef<T | undefined>;
  error: ComputedRef<unknown>;
  updatedAt: ComputedRef<number | null>;
  refresh(): void;
}

type Target = string | URL | PollTask<unknown> | null | undefined;

/**
 * Polls `url` (a value, ref or getter; `null` polls nothing) while the component is mounted,
 * or while the effect scope lives; a new URL is a new poll. The options are read once.
 */
export function usePoll<S extends StandardSchemaV1 | undefined = undefined, TSelected = DataOf<S>>(
  url: MaybeRefOrGetter<string | URL | null | undefined>,
  options?: UrlPollOptions<DataOf<S>, TSelected> & { schema?: S; poller?: Poller },
): PollRefs<TSelected>;
export function usePoll<T, TSelected = T>(
  url: MaybeRefOrGetter<string | URL | null | undefined>,
  options?: UrlPollOptions<T, TSelected> & { poller?: Poller },
): PollRefs<TSelected>;
export function usePoll<T, TSelected = T>(
  task: PollTask<T>,
  // A task poll names its `url` or `origin`: that is also how a task is told from a getter.
  options: TaskPollOptions<T, TSelected> &
    ({ url: string | URL } | { origin: string }) & {
      poller?: Poller;
    },
): PollRefs<TSelected>;
export function usePoll(
  target: MaybeRefOrGetter<Target> | PollTask<unknown>,
  given: { poller?: Poller } & object = {},
): PollRefs<unknown> {
  const { poller: explicit, ...options } = given;
  // inject() outside a component gives undefined, whatever the default.
  const poller = explicit ?? inject(POLLER_KEY, null);
  if (poller == null) {
    throw new Error(
      'pollwise/vue: no poller. Use app.use(pollwisePlugin(poller)) or pass { poller }.',
    );
  }
  // A task is a function too, not a getter: task polls name their `url` or `origin`.
  const { url, origin } = options as { url?: unknown; origin?: unknown };
  const isTask = url !== undefined || origin !== undefined;
  const read = isTask ? () => target : () => toValue(target);
  return useSource(read as () => Target, (value) => pollSource(poller, value as string, options));
}

/** Subscribes to `key` (a value, ref or getter; `null`: none) of `resource`; refs back. */
export function useResource<K, T>(
  resource: Resource<K, T>,
  key: MaybeRefOrGetter<K | null | undefined>,
  options?: SubscribeOptions,
): PollRefs<T> {
  return useSource(
    () => toValue(key),
    (value) => resourceSource(resource, value as K, options),
  );
}

/** Opens a source for each value `read` gives (none for null), closing the one before. */
function useSource<V, T>(read: () => V, open: (value: NonNullable<V>) => SnapshotSource<T>) {
  const snapshot = shallowRef<Snapshot<T>>(PENDING_SNAPSHOT);
  let source: SnapshotSource<T> | undefined;
  const start = () =>
    watch(
      read,
      (value, _previous, onCleanup) => {
        if (value === null || value === undefined) {
          snapshot.value = PENDING_SNAPSHOT;
          return;
        }
        const opened = open(value as NonNullable<V>);
        source = opened;
        snapshot.value = samePending(opened.getSnapshot());
        const stop = opened.subscribe((next) => {
          snapshot.value = samePending(next);
        });
        onCleanup(() => {
          stop();
          opened.unsubscribe();
          if (source === opened) source = undefined;
        });
      },
      { immediate: true },
    );
  // In a component, polling starts when it mounts (never during server rendering), pauses while
  // <KeepAlive> keeps it deactivated, and stops with it.
  if (getCurrentInstance() === null) start();
  else {
    let stop: (() => void) | undefined;
    const resume = () => {
      stop ??= start();
    };
    const pause = () => {
      stop?.();
      stop = undefined;
    };
    onMounted(resume);
    onActivated(resume);
    onDeactivated(pause);
    onScopeDispose(pause);
  }
  return {
    snapshot,
    status: computed(() => snapshot.value.status),
    data: computed(() => snapshot.value.data),
    error: computed(() => snapshot.value.error),
    updatedAt: computed(() => snapshot.value.updatedAt),
    refresh: () => source?.refresh(),
  };
}

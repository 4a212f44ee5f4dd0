import { listen } from './listen.js';

/** Whether the browser believes it is online, and a way to hear when that changes. */
export interface OnlineSource {
  isOnline(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
  /** Optional: told by the poller whenever a response arrives (the network is up). */
  answered?(): void;
  /** Optional: told whenever a request failed with no response at all (a network error). */
  unanswered?(): void;
}

/** What a source's `false` means (see answerAware). */
enum FalseMeans {
  /** It turned false while we watched: believed, polling parks. */
  Offline,
  /** It said false from the start: polls go out until one fails with no answer. */
  Unsure,
  /** A response arrived since: the network is up until the source turns offline again. */
  Stale,
}

/**
 * `source`, doubting a `false` that answers disprove: some webviews and VMs report offline while
 * every request succeeds. A response proves the network up until the source next turns to
 * offline; a `false` from the start is doubted until a request fails with no answer. One
 * subscriber at a time (a poller's scheduler).
 */
export function answerAware(source: OnlineSource): OnlineSource {
  let falseMeans = source.isOnline() ? FalseMeans.Offline : FalseMeans.Unsure;
  let told = true;
  let tell: ((online: boolean) => void) | undefined;
  const isOnline = () => {
    if (!source.isOnline()) return falseMeans !== FalseMeans.Offline;
    falseMeans = FalseMeans.Offline; // a later `false` is news, and believed
    return true;
  };
  /** A `false` means `means` from now on; the subscriber hears if that changes the answer. */
  const update = (means: FalseMeans) => {
    falseMeans = means;
    if (isOnline() === told) return;
    told = !told;
    tell?.(told);
  };
  return {
    isOnline,
    subscribe(onChange) {
      told = isOnline();
      tell = onChange;
      const stop = source.subscribe((online) => update(online ? falseMeans : FalseMeans.Offline));
      return () => {
        tell = undefined;
        stop();
      };
    },
    answered: () => update(FalseMeans.Stale),
    unanswered: () => update(falseMeans === FalseMeans.Unsure ? FalseMeans.Offline : falseMeans),
  };
}

/**
 * `navigator.onLine` plus the `online`/`offline` events, answer-aware (see answerAware). Only
 * `false` is trusted: `true` means "might be online", so anything but `false` counts as online.
 */
export function navigatorOnline(): OnlineSource {
  return answerAware({
    isOnline: () =>
      (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false,
    subscribe: (onChange) =>
      listen(globalThis as Partial<EventTarget>, {
        online: () => onChange(true),
        offline: () => onChange(false),
      }),
  });
}

/** A network that is always reported online: use it to disable online gating. */
export const alwaysOnline: OnlineSource = Object.freeze({
  isOnline: () => true,
  subscribe: () => () => {},
});

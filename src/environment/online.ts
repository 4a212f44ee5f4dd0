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
  const update = () => {
    if (isOnline() === told) return;
    told = !told;
    tell?.(told);
  };
  return {
    isOnline,
    subscribe(onChange) {
      told = isOnline();
      tell = onChange;
      const stop = source.subscribe((online) => {
        if (!online) falseMeans = FalseMeans.Offline;
        update();
      });
      return () => {
        tell = undefined;
        stop();
      };
    },
    answered() {
      falseMeans = FalseMeans.Stale;
      update();
    },
    unanswered() {
      if (falseMeans === FalseMeans.Unsure) falseMeans = FalseMeans.Offline;
      update();
    },
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
    subscribe(onChange) {
      const target = globalThis as Partial<
        Pick<Window, 'addEventListener' | 'removeEventListener'>
      >;
      if (typeof target.addEventListener !== 'function' || !target.removeEventListener) {
        return () => {};
      }
      const onOnline = () => onChange(true);
      const onOffline = () => onChange(false);
      target.addEventListener('online', onOnline);
      target.addEventListener('offline', onOffline);
      return () => {
        target.removeEventListener?.('online', onOnline);
        target.removeEventListener?.('offline', onOffline);
      };
    },
  });
}

/** A network that is always reported online: use it to disable online gating. */
export const alwaysOnline: OnlineSource = Object.freeze({
  isOnline: () => true,
  subscribe: () => () => {},
});

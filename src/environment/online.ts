/** Whether the browser believes it is online, and a way to hear when that changes. */
export interface OnlineSource {
  isOnline(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
  /** Optional: told by the poller whenever a response arrives (the network is up). */
  answered?(): void;
  /** Optional: told whenever a request failed with no response at all (a network error). */
  unanswered?(): void;
}

/**
 * `source`, doubting a `false` that answers disprove: some webviews and VMs report offline while
 * every request succeeds. What the source's `false` means:
 * - 'offline' when it turned false while we watched: believed, polling parks;
 * - 'unsure' when it said false from the start: polls go out, and the first request that fails
 *   with no answer confirms it (then 'offline');
 * - 'stale' once a response arrived: the network is up, whatever the flag says, until the source
 *   turns offline again.
 */
export function answerAware(source: OnlineSource): OnlineSource {
  let falseMeans: 'offline' | 'unsure' | 'stale' = source.isOnline() ? 'offline' : 'unsure';
  const listeners = new Set<(online: boolean) => void>();
  let told = true;
  const isOnline = () => {
    if (!source.isOnline()) return falseMeans !== 'offline';
    falseMeans = 'offline'; // a later `false` is news
    return true;
  };
  const update = () => {
    const online = isOnline();
    if (online === told) return;
    told = online;
    for (const listener of [...listeners]) listener(online);
  };
  return {
    isOnline,
    subscribe(onChange) {
      told = isOnline();
      listeners.add(onChange);
      const stop = source.subscribe((online) => {
        if (!online) falseMeans = 'offline';
        update();
      });
      return () => {
        listeners.delete(onChange);
        stop();
      };
    },
    answered() {
      falseMeans = 'stale';
      update();
    },
    unanswered() {
      if (falseMeans === 'unsure') falseMeans = 'offline';
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

/** Whether the browser believes it is online, and a way to hear when that changes. */
export interface OnlineSource {
  isOnline(): boolean;
  subscribe(onChange: (online: boolean) => void): () => void;
}

/**
 * `navigator.onLine` plus the `online`/`offline` events. Only `false` is trusted: `true` means
 * "might be online", so anything but an explicit `false` counts as online.
 */
export function navigatorOnline(): OnlineSource {
  const isOnline = () =>
    (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine !== false;
  return {
    isOnline,
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
  };
}

/** A network that is always reported online: use it to disable online gating. */
export const alwaysOnline: OnlineSource = Object.freeze({
  isOnline: () => true,
  subscribe: () => () => {},
});

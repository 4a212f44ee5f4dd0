/** One signal that aborts when any of `signals` does; no allocation when there is only one. */
export function anySignal(signals: readonly (AbortSignal | null | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s != null);
  return present.length === 1 ? (present[0] as AbortSignal) : AbortSignal.any(present);
}

/**
 * `promise`, or `signal`'s reason as soon as it aborts: a body that ignores its signal (a fetch
 * polyfill, a dripping stream) cannot outlive the deadline.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    // Whichever comes first wins; `promise` settling later is handled, never unhandled.
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const nothing = () => {};

/**
 * Aborts `to` when `from` aborts (at once if it already has); returns the function that stops
 * listening. Cheaper than AbortSignal.any, and a long-lived `from` (a page's signal, a poll's)
 * keeps nothing once the request is over.
 */
export function forwardAbort(
  from: AbortSignal | null | undefined,
  to: AbortController,
): () => void {
  if (from == null) return nothing;
  if (from.aborted) {
    to.abort(from.reason);
    return nothing;
  }
  const forward = () => to.abort(from.reason);
  from.addEventListener('abort', forward, { once: true });
  return () => from.removeEventListener('abort', forward);
}

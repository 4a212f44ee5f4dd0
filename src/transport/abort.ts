/** One signal that aborts when any of `signals` does; no allocation when there is only one. */
export function anySignal(signals: readonly (AbortSignal | null | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s != null);
  const [only] = present;
  return present.length === 1 && only ? only : AbortSignal.any(present);
}

/**
 * `promise`, or `signal`'s reason as soon as it aborts: a body that ignores its signal (a fetch
 * polyfill, a dripping stream) cannot outlive the deadline.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
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

/** Abort controllers of requests under way, so that `dispose()` can abort every one of them. */
export class InflightRequests {
  readonly #controllers = new Set<AbortController>();

  start(): AbortController {
    const controller = new AbortController();
    this.#controllers.add(controller);
    return controller;
  }

  finish(controller: AbortController): void {
    this.#controllers.delete(controller);
  }

  abortAll(reason: unknown): void {
    for (const controller of this.#controllers) controller.abort(reason);
    this.#controllers.clear();
  }

  get size(): number {
    return this.#controllers.size;
  }
}

/** One signal that aborts when any of `signals` does. */
export function anySignal(signals: readonly (AbortSignal | null | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s != null);
  const [only] = present;
  if (present.length === 1 && only) return only;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(present);
  const controller = new AbortController();
  for (const signal of present) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

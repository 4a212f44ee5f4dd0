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

/** One signal that aborts when any of `signals` does (ky 2 needs AbortSignal.any too). */
export function anySignal(signals: readonly (AbortSignal | null | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => s != null);
  const [only] = present;
  return present.length === 1 && only ? only : AbortSignal.any(present);
}

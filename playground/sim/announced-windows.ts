/**
 * A stretch of virtual time a 429 told its client to stay away: from the moment the answer was
 * delivered to the end of what its Retry-After announced.
 */
export interface AnnouncedWindow {
  /** When the 429 reached the client (its arrival at the server plus the latency). */
  from: number;
  /** End, exclusive: delivery plus Retry-After, or the fixed window's end. */
  to: number;
  /** The answer never reached the client (its request was aborted first). */
  undelivered: boolean;
}

/** One client's announced windows, in delivery order, and how far they were folded in. */
interface ClientWindows {
  windows: AnnouncedWindow[];
  /** Windows before this index have started (`from` ≤ the last request checked). */
  started: number;
  /** Latest end among the started windows. */
  reach: number;
}

/**
 * Records the Retry-After windows a server announced to each client and tells whether a
 * request arrives inside one the client had received. Requests are checked in time order and
 * every window is added before the requests it may cover (its `from` lies in the future of the
 * 429 that announced it), so each check is amortised O(1).
 */
export class AnnouncedWindows {
  readonly #clients = new Map<string, ClientWindows>();

  /** Adds a window announced to `client`; windows come in `from` order. */
  announce(client: string, from: number, to: number): AnnouncedWindow {
    const window: AnnouncedWindow = { from, to, undelivered: false };
    this.#state(client).windows.push(window);
    return window;
  }

  /** Whether a request of `client` arriving at `at` falls inside a window it had received. */
  covers(client: string, at: number): boolean {
    const state = this.#clients.get(client);
    if (state === undefined) return false;
    const { windows } = state;
    while (state.started < windows.length && windows[state.started]!.from <= at) {
      const window = windows[state.started++]!;
      if (!window.undelivered) state.reach = Math.max(state.reach, window.to);
    }
    return at < state.reach;
  }

  /** The windows announced to `client`, in delivery order. */
  of(client: string): readonly AnnouncedWindow[] {
    return this.#clients.get(client)?.windows ?? [];
  }

  #state(client: string): ClientWindows {
    let state = this.#clients.get(client);
    if (state === undefined) {
      state = { windows: [], started: 0, reach: Number.NEGATIVE_INFINITY };
      this.#clients.set(client, state);
    }
    return state;
  }
}

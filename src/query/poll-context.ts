import type { FetchFunction } from '../transport/fetch-function.js';

/** What a poll task receives on each run. */
export interface PollContext {
  /** Aborts when the poll is unsubscribed or the poller disposed, or the run times out. */
  signal: AbortSignal;
  /**
   * The poller's fetch, bound to `signal`: gated and counted once, the Response as `fetch` gives
   * it (non-2xx resolve), no deadline of its own.
   */
  fetch: FetchFunction;
  /**
   * Sends `url` (GET unless `init.method` says otherwise) and resolves its JSON body. Non-2xx
   * rejects with an HttpError; the poller's `timeout` covers the whole exchange, body included.
   */
  http<T = unknown>(url: string | URL, init?: RequestInit): Promise<T>;
}

export type PollTask<T> = (context: PollContext) => Promise<T> | T;

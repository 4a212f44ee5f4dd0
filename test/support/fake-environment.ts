import type { OnlineSource, VisibilitySource } from '../../src/index.js';

/** A boolean the test flips by hand, with listeners that fire synchronously, like the DOM. */
function manualFlag(initial: boolean) {
  let value = initial;
  const listeners = new Set<(value: boolean) => void>();
  return {
    get: () => value,
    subscribe(listener: (value: boolean) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(next: boolean) {
      if (next === value) return;
      value = next;
      for (const listener of [...listeners]) listener(value);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

/** A visibility source the test flips with `set(visible)`. */
export function manualVisibility(initial = true) {
  const flag = manualFlag(initial);
  const source: VisibilitySource = { isVisible: flag.get, subscribe: flag.subscribe };
  return Object.assign(flag, { source });
}

/** An online source the test flips with `set(online)`. */
export function manualOnline(initial = true) {
  const flag = manualFlag(initial);
  const source: OnlineSource = { isOnline: flag.get, subscribe: flag.subscribe };
  return Object.assign(flag, { source });
}

export interface RecordedRequest {
  url: string;
  origin: string;
  method: string;
  at: number;
  headers: Headers;
}

type Responder = (request: RecordedRequest) => Response | Promise<Response>;

/**
 * A fetch that records every call (with the clock's time) and answers with `respond`
 * (default: 200 `{"ok":true}`). It honours the abort signal like the real fetch.
 */
export function recordingFetch(respond: Responder = () => Response.json({ ok: true })) {
  const calls: RecordedRequest[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const record: RecordedRequest = {
      url: url.href,
      origin: url.origin,
      method: request.method,
      at: Date.now(),
      headers: request.headers,
    };
    calls.push(record);
    const signal = init?.signal ?? request.signal;
    if (signal?.aborted) throw signal.reason;
    return respond(record);
  };
  return {
    fetch,
    calls,
    /** Calls to one origin (`http://a.test`) or all calls. */
    count(origin?: string) {
      return origin === undefined ? calls.length : calls.filter((c) => c.origin === origin).length;
    },
    reset() {
      calls.length = 0;
    },
  };
}

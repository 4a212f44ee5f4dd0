import type { OnlineSource, VisibilitySource } from '../../src/index.js';

/** A visibility source the test flips by hand; listeners fire synchronously, like the DOM. */
export function manualVisibility(initial = true) {
  let visible = initial;
  const listeners = new Set<(visible: boolean) => void>();
  const source: VisibilitySource = {
    isVisible: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    set(next: boolean) {
      if (next === visible) return;
      visible = next;
      for (const listener of [...listeners]) listener(visible);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

/** An online source the test flips by hand. */
export function manualOnline(initial = true) {
  let online = initial;
  const listeners = new Set<(online: boolean) => void>();
  const source: OnlineSource = {
    isOnline: () => online,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    set(next: boolean) {
      if (next === online) return;
      online = next;
      for (const listener of [...listeners]) listener(online);
    },
    get listeners() {
      return listeners.size;
    },
  };
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

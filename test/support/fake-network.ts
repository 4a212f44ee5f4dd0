// The one fake network: a fetch that records every call and answers from a script. Suites that
// need a backend (routes, fault plans) write it as a `respond` function over `FakeCall`s.
import { vi } from 'vitest';
import { realTick, T0 } from './clock.js';

/** One call that reached the fake network, exactly as the transport made it. */
export interface FakeCall {
  /** The raw arguments of the call. */
  input: RequestInfo | URL;
  init: RequestInit | undefined;
  /** The URL (href) the call goes to; never parsed by `new Request`, which rejects userinfo. */
  url: string;
  origin: string;
  /** The URL's pathname and its query, parsed. */
  path: string;
  query: URLSearchParams;
  method: string;
  headers: Headers;
  signal: AbortSignal | undefined;
  /** The signal was already aborted when fetch was called (the call is refused at once). */
  aborted: boolean;
  /** Ms since T0 on the (fake) clock. */
  at: number;
  /** 1-based count of the calls to this origin, this one included. */
  n: number;
  /** What the call rejected with, once it did (the very error, not a copy). */
  error?: unknown;
  /** The request body as text ('' without one). */
  text(): Promise<string>;
  /** The request body parsed as JSON (undefined without one). */
  json(): Promise<unknown>;
  /**
   * Waits `ms` on the fake clock, honouring the call's abort signal like the real fetch: an
   * abort clears the timer and rejects with the signal's reason.
   */
  sleep(ms: number): Promise<void>;
}

/**
 * An answer: a Response, an error the fetch rejects with, or 'hang' (never answers). Whatever
 * the answer, an abort of the call's signal rejects it at once with the signal's reason.
 */
export type Answer = Response | Error | 'hang';

export type Respond = (call: FakeCall) => Answer | Promise<Answer>;

/** A response with status `code`, a small JSON error body (none for 204 and 304) and `headers`. */
export const status = (code: number, headers?: Record<string, string>) =>
  new Response(code === 204 || code === 304 ? null : '{"error":true}', { status: code, headers });

/** The headers sent: init.headers replace a Request's own, as in fetch (none for a bad init). */
function headersOf(init: HeadersInit | undefined): Headers {
  try {
    return new Headers(init);
  } catch {
    return new Headers();
  }
}

function parts(input: RequestInfo | URL, init: RequestInit | undefined) {
  const request = typeof input === 'object' && !(input instanceof URL) ? input : undefined;
  const href = request ? request.url : input instanceof URL ? input.href : String(input);
  return {
    request,
    url: new URL(href),
    method: init?.method ?? request?.method ?? 'GET',
    headers: headersOf(init?.headers ?? request?.headers),
    signal: init?.signal ?? request?.signal ?? undefined,
  };
}

/** Bumped whenever a call to any fake network starts or ends: `settle()` waits for it to rest. */
let activity = 0;

/**
 * Runs what is due now on the fake clock (zero-delay timers included, over and over) and lets
 * every promise chain it started finish (a real macrotask per round, for body reads), until no
 * fake network call has started or ended for `quietRounds` rounds. Time does not move.
 */
export async function settle({ quietRounds = 5, maxRounds = 1000 } = {}): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < maxRounds && quiet < quietRounds; round++) {
    const before = activity;
    await vi.advanceTimersByTimeAsync(0);
    await realTick();
    quiet = activity === before ? quiet + 1 : 0;
  }
}

/**
 * A fetch that records every call (`calls`) and answers it with `respond(call)` (default:
 * 200 `{"ok":true}`; `net.respond` may be swapped at any time). It rejects at once when the
 * signal is already aborted, like the real fetch. It counts calls in flight (overall and per
 * origin, with their peaks); `settle()` waits until no call starts or ends. `record: false`
 * keeps the counters but not the calls (long soaks).
 */
export function fakeNetwork(
  respond: Respond = () => Response.json({ ok: true }),
  { record = true } = {},
) {
  const calls: FakeCall[] = [];
  const perOrigin = new Map<string, number>();
  const inFlightOf = new Map<string, number>();
  const peakOf = new Map<string, number>();
  let total = 0;

  const started = (origin: string) => {
    activity++;
    net.inFlight++;
    net.maxInFlight = Math.max(net.maxInFlight, net.inFlight);
    const now = (inFlightOf.get(origin) ?? 0) + 1;
    inFlightOf.set(origin, now);
    peakOf.set(origin, Math.max(peakOf.get(origin) ?? 0, now));
  };
  const ended = (origin: string) => {
    activity++;
    net.inFlight--;
    inFlightOf.set(origin, (inFlightOf.get(origin) ?? 1) - 1);
  };

  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const { request, url, method, headers, signal } = parts(input, init);
    const n = (perOrigin.get(url.origin) ?? 0) + 1;
    perOrigin.set(url.origin, n);
    total++;
    const body = () =>
      init?.body !== undefined && init.body !== null
        ? typeof init.body === 'string'
          ? Promise.resolve(init.body)
          : new Response(init.body).text()
        : request
          ? request.clone().text()
          : Promise.resolve('');
    const call: FakeCall = {
      input,
      init,
      url: url.href,
      origin: url.origin,
      path: url.pathname,
      query: url.searchParams,
      method,
      headers,
      signal,
      aborted: signal?.aborted === true,
      at: Date.now() - T0,
      n,
      text: body,
      json: async () => {
        const text = await body();
        return text === '' ? undefined : JSON.parse(text);
      },
      sleep: (ms) =>
        new Promise<void>((resolve, reject) => {
          if (signal?.aborted) return reject(signal.reason);
          const onAbort = () => {
            clearTimeout(timer);
            reject(signal?.reason);
          };
          const timer = setTimeout(() => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          }, ms);
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
    };
    if (record) calls.push(call);
    const fail = (error: unknown) => {
      call.error = error;
      return Promise.reject(error);
    };
    if (signal?.aborted) {
      activity++;
      return fail(signal.reason);
    }

    started(url.origin);
    let answer: Answer | Promise<Answer>;
    try {
      answer = net.respond(call);
    } catch (error) {
      answer = error instanceof Error ? error : new Error(String(error));
    }
    if (answer instanceof Response || answer instanceof Error) {
      // Answered at once: no extra turns of the microtask queue.
      ended(url.origin);
      return answer instanceof Error ? fail(answer) : Promise.resolve(answer);
    }
    // Like the real fetch: an abort rejects the call at once, whatever the server does.
    let open = true;
    const end = () => {
      if (open) ended(url.origin);
      open = false;
    };
    return new Promise<Response>((resolve, rejectCall) => {
      const reject = (error: unknown) => {
        call.error = error;
        rejectCall(error);
      };
      const onAbort = () => {
        end();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (settled: Answer | undefined, error?: unknown) => {
        if (settled === 'hang' || !open) return;
        signal?.removeEventListener('abort', onAbort);
        end();
        if (settled === undefined || settled instanceof Error) reject(settled ?? error);
        else resolve(settled);
      };
      Promise.resolve(answer).then(finish, (error: unknown) => finish(undefined, error));
    });
  };

  const net = {
    fetch,
    calls,
    respond,
    /** Calls made so far (also with `record: false`). */
    get requests() {
      return total;
    },
    /** Calls in flight now, and the most at once since the last `reset()`. */
    inFlight: 0,
    maxInFlight: 0,
    /** Calls in flight to `origin` now. */
    inFlightTo: (origin: string) => inFlightOf.get(origin) ?? 0,
    /** The most calls in flight to `origin` at once since the last `reset()`. */
    maxInFlightTo: (origin: string) => peakOf.get(origin) ?? 0,
    /** Calls to `origin` (`http://a.test`), or all calls. */
    count: (origin?: string) =>
      origin === undefined ? calls.length : calls.filter((c) => c.origin === origin).length,
    /** Times (ms since T0) of the calls whose URL contains `part` (an origin, a path), or all. */
    times: (part?: string) => calls.filter((c) => c.url.includes(part ?? '')).map((c) => c.at),
    /** Paths of the calls whose URL contains `part`, or of all calls, in order. */
    paths: (part?: string) => calls.filter((c) => c.url.includes(part ?? '')).map((c) => c.path),
    /** Forgets the calls so far; peaks restart from what is in flight now. */
    reset() {
      calls.length = 0;
      net.maxInFlight = net.inFlight;
      for (const [origin, now] of inFlightOf) peakOf.set(origin, now);
    },
  };
  return net;
}

export type FakeNetwork = ReturnType<typeof fakeNetwork>;

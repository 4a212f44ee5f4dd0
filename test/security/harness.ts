import { vi } from 'vitest';
import { createPoller, type Poller, type PollerOptions } from '../../src/index.js';

/** Fake epoch the tests start at; times are reported relative to it. */
import { EXACT_TIMING, useFakeClockWithPollers } from '../support/exact-poller.js';

export const T0 = Date.UTC(2026, 0, 1);

/** One call that reached the fake network, exactly as the transport received it. */
export interface RawCall {
  input: RequestInfo | URL;
  init: RequestInit | undefined;
  /** The URL the call goes to (never parsed through `new Request`, which rejects userinfo). */
  url: string;
  origin: string;
  at: number;
}

export type Answer = Response | Error;

let track: (poller: Poller) => Poller = (poller) => poller;

/** Fake timers at T0 for every test of the file; each poller is disposed and leaves no timer. */
export function useFakeClock(): void {
  track = useFakeClockWithPollers(T0);
}

export const elapsed = () => Date.now() - T0;
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A fetch that keeps the raw arguments of every call and answers with `answer`. */
export function captureFetch(answer: (call: RawCall) => Answer = () => Response.json({ ok: 1 })) {
  const calls: RawCall[] = [];
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(raw);
    const call: RawCall = { input, init, url: url.href, origin: url.origin, at: elapsed() };
    calls.push(call);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const result = answer(call);
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  };
  /** Calls to one origin, or all. */
  const count = (origin?: string) =>
    calls.filter((c) => origin === undefined || c.origin === origin).length;
  return { fetch, calls, count };
}

/** A poller with exact timing and no visibility/online gating, disposed after the test. */
export function makePoller(options: PollerOptions = {}): Poller {
  const poller = createPoller({
    ...EXACT_TIMING,
    ...options,
  });
  track(poller);
  return poller;
}

export const status = (code: number, headers?: Record<string, string>) =>
  new Response(code === 204 || code === 304 ? null : '{"error":true}', { status: code, headers });

/** The rejection of a promise that must reject. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

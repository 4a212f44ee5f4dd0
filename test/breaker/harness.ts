import { vi } from 'vitest';
import {
  createPoller,
  type Poller,
  type PollerEvents,
  type PollerOptions,
} from '../../src/index.js';

/** Fake epoch the tests start at; times are reported relative to it. */
import { EXACT_TIMING, useFakeClockWithPollers } from '../support/exact-poller.js';

export const T0 = Date.UTC(2026, 0, 1);
export const A = 'http://a.test';
export const B = 'http://b.test';

/** What the fake network answers: a Response, or an error the fetch rejects with, or 'hang'. */
export type Answer = Response | Error | 'hang';

export interface Call {
  url: string;
  origin: string;
  at: number;
}

let track: (poller: Poller) => Poller = (poller) => poller;

/** Fake timers at T0 for every test of the file; each poller is disposed and leaves no timer. */
export function useFakeClock(): void {
  track = useFakeClockWithPollers(T0);
}

export const elapsed = () => Date.now() - T0;
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/**
 * A poller on the fake default clock with exact timing (no jitter anywhere), visibility and
 * online gating off, whose network answers each request with `answer(call, n)` (n: 1-based count
 * of requests to that origin). Records every request and every event.
 */
export function setup(
  answer: (call: Call, n: number) => Answer = () => Response.json({ ok: true }),
  options: PollerOptions = {},
) {
  const calls: Call[] = [];
  const perOrigin = new Map<string, number>();
  const fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const call = { url: url.href, origin: url.origin, at: elapsed() };
    calls.push(call);
    const n = (perOrigin.get(url.origin) ?? 0) + 1;
    perOrigin.set(url.origin, n);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const result = answer(call, n);
    if (result === 'hang') {
      // Never answers; honours the abort signal like the real fetch.
      return new Promise((_resolve, reject) => {
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  };
  const poller = createPoller({
    fetch,
    ...EXACT_TIMING,
    ...options,
  });
  track(poller);
  const events: { type: keyof PollerEvents; at: number; event: unknown }[] = [];
  for (const type of ['breaker:open', 'breaker:half-open', 'breaker:close', 'skip'] as const) {
    poller.on(type, (event) => events.push({ type, at: elapsed(), event }));
  }
  /** Breaker events only, as [type, ms since T0, payload]. */
  const breakerEvents = () =>
    events.filter((e) => e.type.startsWith('breaker:')).map((e) => [e.type, e.at, e.event]);
  /** Request times (ms since T0) to `origin`, or all. */
  const times = (origin?: string) =>
    calls.filter((c) => origin === undefined || c.origin === origin).map((c) => c.at);
  return { poller, calls, events, breakerEvents, times };
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

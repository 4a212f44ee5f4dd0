import { afterEach, beforeEach, vi } from 'vitest';
import { createPoller, type Poller, type PollerOptions } from '../../src/index.js';
import { manualOnline, manualVisibility, recordingFetch } from '../support/fake-environment.js';

/** Fake epoch the tests start at; request times are reported relative to it. */
export const T0 = Date.UTC(2026, 0, 1);

/** The real setImmediate, captured before any test fakes it. */
const realSetImmediate = globalThis.setImmediate;

/** Lets Node process pending promise rejections (one real macrotask). */
export const flushRealMacrotask = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/** Installs fake timers (default clock reads them) at T0 for every test of the file. */
export function useFakeClock(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}

/** Milliseconds since T0 on the fake clock. */
export const elapsed = () => Date.now() - T0;

type Respond = Parameters<typeof recordingFetch>[0];

/**
 * A poller on the default clock with manual visibility/online, a recording fetch, exact
 * timing (`jitter: 0`, `random: () => 0`) unless `options` override it.
 */
export function setup(options: PollerOptions = {}, respond?: Respond) {
  const visibility = manualVisibility();
  const online = manualOnline();
  const net = recordingFetch(respond);
  const poller: Poller = createPoller({
    fetch: net.fetch,
    visibility: visibility.source,
    online: online.source,
    jitter: 0,
    random: () => 0,
    ...options,
  });
  /** Request times (ms since T0), optionally only those whose URL contains `part`. */
  const times = (part?: string) =>
    net.calls.filter((c) => part === undefined || c.url.includes(part)).map((c) => c.at - T0);
  return { poller, visibility, online, net, times };
}

/** Differences between consecutive times. */
export function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fetch that never answers, but rejects with the signal's reason when aborted (like fetch). */
export function hangingFetch() {
  const signals: AbortSignal[] = [];
  const fetch = (_input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((_resolve, reject) => {
      const signal = init?.signal;
      if (!signal) return;
      signals.push(signal);
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  return { fetch, signals };
}

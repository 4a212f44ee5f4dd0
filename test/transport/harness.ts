import type http from 'node:http';
import { afterEach } from 'vitest';
import { createPoller, type Poller, type PollerOptions } from '../../src/index.js';
import { EXACT_TIMING } from '../support/exact-poller.js';
import { startLoopbackServer } from '../support/loopback-server.js';
import { type ManualClock, manualClock, realTick, waitFor } from '../support/manual-clock.js';

/** Virtual epoch the transport tests start at (a whole second, so HTTP-dates are exact). */
export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

type Server = Awaited<ReturnType<typeof startLoopbackServer>>;
const servers: Server[] = [];
const pollers: Poller[] = [];

afterEach(async () => {
  for (const poller of pollers.splice(0)) poller.dispose();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** A loopback server closed after the test. Requests whose response never ends are logged too. */
export async function server(
  handler?: (req: http.IncomingMessage, res: http.ServerResponse) => void,
) {
  const s = await startLoopbackServer(handler);
  servers.push(s);
  /** Paths of the requests seen so far. */
  const paths = () => s.requests.map((r) => r.url);
  return Object.assign(s, { paths });
}

export { readBody } from '../support/loopback-server.js';

/**
 * A poller on a manual clock, with exact timing (no interval or cooldown jitter), visibility and
 * online gating off, disposed after the test. `clock.advance()` fires due timers one by one and,
 * after each, waits (real time, bounded) until every poll run it started has settled, so the
 * response of a request is seen before virtual time moves past it. Tests whose runs never
 * settle on their own (hanging servers) pass `waitForRuns: false`.
 */
export function setup(options: PollerOptions = {}, { waitForRuns = true } = {}) {
  let poller: Poller | undefined;
  const idle = () => {
    if (poller === undefined) return true;
    const s = poller.stats();
    return s.runs === s.succeeded + s.errors;
  };
  const clock: ManualClock = manualClock({
    start: T0,
    settle: async () => {
      if (waitForRuns) await waitFor(idle, 'every poll run settled');
      for (let i = 0; i < 3; i++) await realTick();
    },
  });
  poller = createPoller({
    clock,
    ...EXACT_TIMING,
    ...options,
  });
  pollers.push(poller);
  /** Virtual times (ms since T0) of the requests pollwise let out, by origin (and path). */
  const sent: { origin: string; url: string; at: number }[] = [];
  poller.on('request', ({ origin, url }) => sent.push({ origin, url, at: clock.now() - T0 }));
  const sentAt = (origin: string, path?: string) =>
    sent
      .filter(
        (r) => r.origin === origin && (path === undefined || new URL(r.url).pathname === path),
      )
      .map((r) => r.at);
  return { poller, clock, sentAt };
}

/** Settles `promise` and returns the rejection reason, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** `promise`, or a rejection naming `what` when it has not settled within `ms` real ms. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export { waitFor };

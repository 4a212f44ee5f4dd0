// Pollers for tests: on the fake network and the fake clock, or on a real wire and a manual
// clock. Both have exact timing and are disposed after the test.
import { createPoller, type Poller, type PollerOptions } from '../../src/index.js';
import { onCleanup } from './cleanup.js';
import { type ManualClock, manualClock, realTick, T0, waitFor } from './clock.js';
import { manualOnline, manualVisibility } from './fake-environment.js';
import { type FakeNetwork, fakeNetwork, type Respond } from './fake-network.js';

/**
 * Poller options that make timing exact: no jitter anywhere, no visibility or online gating, and
 * no discovery period (an origin's first minute with one paced request in flight): tests of
 * pacing itself (test/pacing/) turn it back on.
 */
export const EXACT_TIMING = {
  visibility: false,
  online: false,
  jitter: 0,
  random: () => 0,
  cooldown: { jitter: 0 },
  pacing: { discoverMs: 0 },
} as const;

/** `poller`, disposed after the test. */
export function track(poller: Poller): Poller {
  onCleanup(() => poller.dispose());
  return poller;
}

/**
 * A poller on the default (fake) clock with exact timing, visibility and online sources the test
 * flips by hand, and the fake network (answering with `respond`, or the one given); `options`
 * override all of it.
 */
export function fakePoller(options: PollerOptions = {}, network?: Respond | FakeNetwork) {
  const net = typeof network === 'object' ? network : fakeNetwork(network);
  const visibility = manualVisibility();
  const online = manualOnline();
  const poller = track(
    createPoller({
      fetch: net.fetch,
      ...EXACT_TIMING,
      visibility: visibility.source,
      online: online.source,
      ...options,
    }),
  );
  return { poller, net, visibility, online };
}

/** Whether every poll run `poller` started has settled. */
export const runsSettled = (poller: Poller) => {
  const s = poller.stats();
  return s.runs === s.succeeded + s.errors;
};

/**
 * A poller on a manual clock from T0 and the real fetch, with exact timing. `clock.advance()`
 * fires due timers one by one and, after each, waits (real time, bounded by `idleTimeoutMs`)
 * until `idle(poller)` holds (default: every poll run it started has settled), so the response
 * of a request is seen before virtual time moves past it. Tests whose runs never settle on
 * their own (hanging servers) pass `idle: false`.
 */
export function wirePoller(
  options: PollerOptions = {},
  {
    idle = runsSettled,
    idleTimeoutMs = 2000,
  }: { idle?: ((poller: Poller) => boolean) | false; idleTimeoutMs?: number } = {},
) {
  let poller: Poller | undefined;
  const clock: ManualClock = manualClock({
    settle: async () => {
      const p = poller;
      if (idle !== false && p !== undefined) {
        await waitFor(() => idle(p), 'the poller is idle', idleTimeoutMs);
      }
      for (let i = 0; i < 3; i++) await realTick();
    },
  });
  poller = track(createPoller({ clock, ...EXACT_TIMING, ...options }));
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

/** What `poller` holds (from `inspect()`): every count is 0 once nothing is subscribed. */
export function held(poller: Poller) {
  const i = poller.inspect();
  return {
    entries: i.entries,
    groups: i.groups,
    timers: i.timers,
    lanes: i.lanes,
    running: i.running,
    queued: i.queued,
    paced: i.paced,
    sharedPolls: i.sharedPolls,
    requestsInFlight: i.requestsInFlight,
    environmentListeners: i.environmentListeners,
  };
}

/** `held()` of a poller that holds nothing. */
export const NOTHING_HELD: ReturnType<typeof held> = Object.freeze({
  entries: 0,
  groups: 0,
  timers: 0,
  lanes: 0,
  running: 0,
  queued: 0,
  paced: 0,
  sharedPolls: 0,
  requestsInFlight: 0,
  environmentListeners: false,
});

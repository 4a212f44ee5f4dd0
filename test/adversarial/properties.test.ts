import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Poller, Subscription } from '../../src/index.js';
import { createResource, type Resource } from '../../src/resource/index.js';
import { advance, elapsed, realTick, T0, useFakeClock } from '../support/clock.js';
import { type FakeCall, fakeNetwork, settle } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

/*
 * Properties over random sequences of subscribe / unsubscribe / refresh / visibility / online /
 * pause / resume / time, against a fake network that answers from a random script (data, 429s
 * with and without Retry-After, 503, 500, invalid JSON, slow answers, answers that never come).
 * Fixed seeds: the suite is deterministic.
 *
 * Invariants, checked at every request the network sees:
 *   - no poll request while hidden (polls here never opt into a hidden interval), offline or
 *     paused;
 *   - no request of any kind inside an announced cooldown or while the breaker is open, and one
 *     probe at most while it is half-open;
 *   - poll requests in flight to one origin never exceed maxConcurrent;
 * and after each sequence:
 *   - once the network heals and the page is visible, online and resumed, every live poll is
 *     polled again within the longest block plus one interval (no poll wedges);
 *   - every resource.fetch() and wrapped fetch settled within its deadline;
 *   - with every subscription gone, nothing is held: no entry, group, lane, timer, run, request.
 */

useFakeClock();

const ORIGINS = ['http://a.test', 'http://b.test'];
const TIMEOUT = 400;
const MAX_CONCURRENT = 2;
const COOLDOWN = { defaultMs: 1500, maxMs: 4000, jitter: 0 };
const BREAKER = { openMs: 2000 };
const INTERVALS = [500, 1000, 2500];
/** A resource read's requests in flight at once (batch chunks, or per-item requests). */
const CONCURRENCY = 2;

type AnswerKind =
  | { kind: 'data' }
  | { kind: '429'; retryAfter: number | null }
  | { kind: '503' }
  | { kind: '500' }
  | { kind: 'invalid' }
  | { kind: 'slow'; ms: number }
  | { kind: 'hang' }
  | { kind: '404' }
  | { kind: '413' };

const answerKind: fc.Arbitrary<AnswerKind> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'data' as const }) },
  fc.record({
    kind: fc.constant('429' as const),
    retryAfter: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
  }),
  fc.constant({ kind: '503' as const }),
  fc.constant({ kind: '500' as const }),
  fc.constant({ kind: 'invalid' as const }),
  fc.record({ kind: fc.constant('slow' as const), ms: fc.integer({ min: 1, max: 800 }) }),
  fc.constant({ kind: 'hang' as const }),
);
/** For resources: also a missing batch endpoint (404) and batches too large (413). */
const resourceAnswerKind: fc.Arbitrary<AnswerKind> = fc.oneof(
  { weight: 6, arbitrary: answerKind },
  fc.constant({ kind: '404' as const }),
  fc.constant({ kind: '413' as const }),
);

type Action =
  | { type: 'subscribe'; path: number; origin: number; interval: number; immediate: boolean }
  | { type: 'unsubscribe'; index: number }
  | { type: 'refresh'; index: number }
  | { type: 'visible'; value: boolean }
  | { type: 'online'; value: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'advance'; ms: number }
  | { type: 'fetch'; key: number }
  | { type: 'wrapped'; origin: number };

const subscribe: fc.Arbitrary<Action> = fc.record({
  type: fc.constant('subscribe' as const),
  path: fc.integer({ min: 0, max: 3 }),
  origin: fc.integer({ min: 0, max: 1 }),
  interval: fc.constantFrom(...INTERVALS),
  immediate: fc.boolean(),
});
const passTime: fc.Arbitrary<Action> = fc.record({
  type: fc.constant('advance' as const),
  ms: fc.integer({ min: 0, max: 3000 }),
});
/** Time passes most often, subscriptions come often, every other action now and then. */
const pollActions: fc.Arbitrary<Action>[] = [
  subscribe,
  subscribe,
  subscribe,
  passTime,
  passTime,
  passTime,
  passTime,
  fc.record({ type: fc.constant('unsubscribe' as const), index: fc.nat() }),
  fc.record({ type: fc.constant('refresh' as const), index: fc.nat() }),
  fc.record({ type: fc.constant('visible' as const), value: fc.boolean() }),
  fc.record({ type: fc.constant('online' as const), value: fc.boolean() }),
  fc.constant({ type: 'pause' as const }),
  fc.constant({ type: 'resume' as const }),
];
const eagerActions: fc.Arbitrary<Action>[] = [
  fc.record({ type: fc.constant('fetch' as const), key: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ type: fc.constant('wrapped' as const), origin: fc.integer({ min: 0, max: 1 }) }),
];

/** What a request's path says it is: a URL poll, a resource read, or a wrapped fetch. */
const kindOf = (call: FakeCall) =>
  call.path.startsWith('/p/') ? 'poll' : call.path.startsWith('/w/') ? 'wrapped' : 'resource';

/** The network's answer for one call, from the script (cycled); resource reads are well formed. */
function answer(call: FakeCall, script: readonly AnswerKind[], index: number) {
  const a = script[index % script.length] as AnswerKind;
  const ok = () =>
    call.path === '/batch'
      ? call.json().then((body) => {
          const keys = (body as { keys: string[] }).keys;
          return Response.json(keys.map((key) => ({ key, at: call.at })));
        })
      : Response.json({ path: call.path, at: call.at });
  switch (a.kind) {
    case 'data':
      return ok();
    case '429':
      return new Response('{}', {
        status: 429,
        headers: a.retryAfter === null ? {} : { 'retry-after': String(a.retryAfter) },
      });
    case '503':
      return new Response('{}', { status: 503 });
    case '500':
      return new Response('{}', { status: 500 });
    case 'invalid':
      return new Response('{"a":');
    case 'slow':
      return call.sleep(a.ms).then(ok);
    case 'hang':
      return 'hang' as const;
    case '404':
      return new Response('{}', { status: 404 });
    case '413':
      return new Response('{}', { status: 413 });
  }
}

/**
 * One world on `script`. Resource requests are held to the concurrency cap and the blocks; with
 * `gateResources` also to visibility, online state and pause (subscribed keys only).
 */
function world(script: readonly AnswerKind[], { gateResources = false } = {}) {
  const violations: string[] = [];
  let healthy = false;
  let n = 0;
  const coolUntil = new Map<string, number>();
  const openUntil = new Map<string, number>();
  const probes = new Map<string, number>(); // probes sent while half-open; absent: closed
  const requestsTo = new Map<string, number[]>(); // poll paths -> times
  let env: ReturnType<typeof fakePoller>;

  const net = fakeNetwork((call) => {
    const now = elapsed();
    const kind = kindOf(call);
    const { origin } = call;
    const where = `${kind} ${call.url} at ${now}`;
    if (kind === 'poll' || (gateResources && kind === 'resource')) {
      if (!env.visibility.get()) violations.push(`${where} while hidden`);
      if (!env.online.get()) violations.push(`${where} while offline`);
      if (env.poller.paused) violations.push(`${where} while paused`);
    }
    if (kind !== 'wrapped') {
      // Poll runs: at most maxConcurrent; a resource sweep (one run) sends `concurrency` at once.
      const cap = kind === 'poll' ? MAX_CONCURRENT : MAX_CONCURRENT * CONCURRENCY;
      if (net.inFlightTo(origin) > cap) {
        violations.push(`${where}: ${net.inFlightTo(origin)} in flight`);
      }
      requestsTo.set(call.url, [...(requestsTo.get(call.url) ?? []), now]);
    }
    if (now < (coolUntil.get(origin) ?? Number.NEGATIVE_INFINITY)) {
      violations.push(`${where} inside a cooldown until ${coolUntil.get(origin)}`);
    }
    if (now < (openUntil.get(origin) ?? Number.NEGATIVE_INFINITY)) {
      violations.push(`${where} while the breaker is open until ${openUntil.get(origin)}`);
    }
    const probing = probes.get(origin);
    if (probing !== undefined) {
      if (probing >= 1) violations.push(`${where}: a second probe while half-open`);
      probes.set(origin, probing + 1);
    }
    return healthy ? answer(call, [{ kind: 'data' }], 0) : answer(call, script, n++);
  });

  env = fakePoller(
    {
      maxConcurrent: MAX_CONCURRENT,
      timeout: TIMEOUT,
      cooldown: COOLDOWN,
      breaker: BREAKER,
      backoff: { baseMs: 500, capMs: 2000 },
      // A budget learned from the script's 429s lasts a window: short, on this test's scale.
      pacing: { assumedWindowMs: PACING_WINDOW },
    },
    net,
  );
  const { poller } = env;
  poller.on('cooldown', ({ origin, until }) => {
    coolUntil.set(origin, Math.max(coolUntil.get(origin) ?? 0, until - T0));
  });
  poller.on('breaker:open', ({ origin, until }) => {
    openUntil.set(origin, until - T0);
    probes.delete(origin);
  });
  poller.on('breaker:half-open', ({ origin }) => {
    openUntil.delete(origin);
    probes.set(origin, 0);
  });
  poller.on('breaker:close', ({ origin }) => probes.delete(origin));
  return {
    ...env,
    violations,
    requestsTo,
    heal: () => {
      healthy = true;
    },
  };
}

type World = ReturnType<typeof world>;

interface Live {
  url: string;
  sub: Subscription<unknown>;
}

/** Eager calls outside any poll run: when each started and settled (ms since T0). */
interface Eager {
  what: string;
  at: number;
  settledAt?: number;
}

/** Runs one action against `w`. */
function act(
  w: World,
  action: Action,
  live: Live[],
  eager: Eager[],
  resource: Resource<string, unknown> | undefined,
): Promise<void> | undefined {
  const { poller } = w;
  const pick = (index: number) => live[index % Math.max(1, live.length)];
  switch (action.type) {
    case 'subscribe': {
      const url = `${ORIGINS[action.origin]}/p/${action.path}`;
      const sub = poller.poll(url, { interval: action.interval, immediate: action.immediate });
      live.push({ url, sub });
      return;
    }
    case 'unsubscribe': {
      const index = action.index % Math.max(1, live.length);
      live[index]?.sub.unsubscribe();
      live.splice(index, 1);
      return;
    }
    case 'refresh':
      pick(action.index)?.sub.refresh();
      return;
    case 'visible':
      w.visibility.set(action.value);
      return;
    case 'online':
      w.online.set(action.value);
      return;
    case 'pause':
      poller.pause();
      return;
    case 'resume':
      poller.resume();
      return;
    case 'advance':
      return advance(action.ms).then(() => {});
    case 'fetch': {
      if (resource === undefined) return;
      const call: Eager = { what: `fetch(k${action.key})`, at: elapsed() };
      eager.push(call);
      void resource.fetch(`k${action.key}`).then(
        () => (call.settledAt = elapsed()),
        () => (call.settledAt = elapsed()),
      );
      return;
    }
    case 'wrapped': {
      // A wrapped fetch has no deadline of its own: the caller's, on the same clock.
      const call: Eager = { what: `wrapped ${action.origin}`, at: elapsed() };
      eager.push(call);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), TIMEOUT);
      void poller
        .wrapFetch()(`${ORIGINS[action.origin]}/w/x`, { signal: controller.signal })
        .then((response) => response.text())
        .catch(() => {})
        .finally(() => {
          clearTimeout(timer);
          call.settledAt = elapsed();
        });
      return;
    }
  }
}

/** Window assumed for a budget learned from a 429 without Retry-After (and the longest one learned). */
const PACING_WINDOW = 2000;

/**
 * The longest a healed origin can stay blocked: a cooldown, or an open breaker and its probe;
 * then a budget learned from the script's 429s paces it for up to a learned window (at most the
 * assumed window plus the longest Retry-After in the script).
 */
const LONGEST_BLOCK = Math.max(COOLDOWN.maxMs, BREAKER.openMs + TIMEOUT) + PACING_WINDOW + 5000;

/** Heals the network and the page, then checks that every live poll is polled again. */
async function expectLiveness(w: World, live: Live[]) {
  w.heal();
  w.visibility.set(true);
  w.online.set(true);
  w.poller.resume();
  const from = elapsed();
  await advance(LONGEST_BLOCK + Math.max(...INTERVALS) + TIMEOUT + 1);
  for (const { url } of live) {
    const after = (w.requestsTo.get(url) ?? []).filter((t) => t >= from);
    expect(after.length, `${url} polled again after healing`).toBeGreaterThan(0);
  }
}

/** Unsubscribes everything; nothing may be held afterwards. */
async function expectNothingHeld(poller: Poller, live: Live[]) {
  for (const { sub } of live) sub.unsubscribe();
  await settle({ quietRounds: 2 });
  const i = poller.inspect();
  expect({
    entries: i.entries,
    groups: i.groups,
    lanes: i.lanes,
    timers: i.timers,
    running: i.running,
    queued: i.queued,
    sharedPolls: i.sharedPolls,
    requestsInFlight: i.requestsInFlight,
    environmentListeners: i.environmentListeners,
    reads: i.resources.reads,
  }).toEqual({
    entries: 0,
    groups: 0,
    lanes: 0,
    timers: 0,
    running: 0,
    queued: 0,
    sharedPolls: 0,
    requestsInFlight: 0,
    environmentListeners: false,
    reads: 0,
  });
}

describe('property: random polling sessions against a random network', () => {
  // Whatever the sequence, no promise pollwise made is left rejected with nobody listening.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    for (let i = 0; i < 5; i++) await realTick();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  it('polls only: never hidden, offline, paused, cooled down, breaker-open or over the cap; no poll wedges; nothing held', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answerKind, { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(...pollActions), { minLength: 10, maxLength: 60 }),
        async (script, actions) => {
          const w = world(script);
          const live: Live[] = [];
          for (const action of actions) await act(w, action, live, [], undefined);
          await advance(1000);
          expect(w.violations).toEqual([]);
          await expectLiveness(w, live);
          expect(w.violations).toEqual([]);
          await expectNothingHeld(w.poller, live);
          w.poller.dispose();
        },
      ),
      { seed: 80_801, numRuns: 150, endOnFailure: true },
    );
  });

  it('with resource.fetch() and wrapped fetches: every call settles within its deadline, none inside a block', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(answerKind, { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(...pollActions, ...eagerActions, ...eagerActions), {
          minLength: 10,
          maxLength: 60,
        }),
        async (script, actions) => {
          const w = world(script);
          const resource = createResource<string>(w.poller, {
            item: { url: (key) => `${ORIGINS[0]}/items/${key}` },
            batch: {
              url: `${ORIGINS[0]}/batch`,
              body: (keys) => ({ keys }),
              key: (entry) => (entry as { key: string }).key,
            },
          });
          const live: Live[] = [];
          const eager: Eager[] = [];
          for (const action of actions) await act(w, action, live, eager, resource);
          await advance(TIMEOUT + 1);
          expect(w.violations).toEqual([]);
          for (const call of eager) {
            expect(call.settledAt, `${call.what} at ${call.at} settled`).toBeDefined();
            expect((call.settledAt ?? 0) - call.at, call.what).toBeLessThanOrEqual(TIMEOUT);
          }
          await expectNothingHeld(w.poller, live);
          w.poller.dispose();
        },
      ),
      { seed: 80_802, numRuns: 150, endOnFailure: true },
    );
  });

  // Visibility, online state and pause for resource reads: see FINDINGS.md (a key subscribed
  // while its group's sweep runs is read by the batcher's window, which asks no gate).
  it('resource subscriptions: no read blocked or over the cap; no key wedges; nothing held', async () => {
    const KEYS = ['k0', 'k1', 'k2', 'k3', 'k4'];
    const keyActions: fc.Arbitrary<Action>[] = [
      ...pollActions.slice(3), // time, refresh, visibility, online, pause, resume
      fc.record({
        type: fc.constant('subscribe' as const),
        path: fc.nat(4),
        origin: fc.constant(0),
        interval: fc.constantFrom(...INTERVALS),
        immediate: fc.constant(true),
      }),
      fc.record({
        type: fc.constant('subscribe' as const),
        path: fc.nat(4),
        origin: fc.constant(0),
        interval: fc.constantFrom(...INTERVALS),
        immediate: fc.constant(true),
      }),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(resourceAnswerKind, { minLength: 1, maxLength: 12 }),
        fc.array(fc.oneof(...keyActions), { minLength: 10, maxLength: 50 }),
        async (script, actions) => {
          const w = world(script);
          const resource = createResource<string, { at: number }>(w.poller, {
            item: { url: (key) => `${ORIGINS[0]}/items/${key}` },
            batch: {
              url: `${ORIGINS[0]}/batch`,
              body: (keys) => ({ keys }),
              key: (entry) => (entry as { key: string }).key,
              maxSize: 2,
            },
            concurrency: CONCURRENCY,
          });
          const live: { key: string; unsubscribe: () => void; refresh: () => void }[] = [];
          for (const action of actions) {
            if (action.type === 'subscribe') {
              const key = KEYS[action.path] as string;
              live.push({
                key,
                ...resource.subscribe(key, () => {}, { interval: action.interval }),
              });
            } else if (action.type === 'unsubscribe') {
              const index = action.index % Math.max(1, live.length);
              live[index]?.unsubscribe();
              live.splice(index, 1);
            } else if (action.type === 'refresh') {
              live[action.index % Math.max(1, live.length)]?.refresh();
            } else await act(w, action, [], [], undefined);
          }
          await advance(1000);
          expect(w.violations).toEqual([]);
          // Healed: every subscribed key has data read after healing.
          w.heal();
          w.visibility.set(true);
          w.online.set(true);
          w.poller.resume();
          const from = elapsed();
          await advance(LONGEST_BLOCK + Math.max(...INTERVALS) + TIMEOUT + 1);
          await settle({ quietRounds: 2 });
          for (const { key } of live) {
            const snapshot = resource.get(key);
            expect(snapshot.status, `${key} after healing`).toBe('success');
            expect(snapshot.data?.at ?? -1, `${key} fresh after healing`).toBeGreaterThanOrEqual(
              from,
            );
          }
          expect(w.violations).toEqual([]);
          for (const { unsubscribe } of live) unsubscribe();
          await expectNothingHeld(w.poller, []);
          w.poller.dispose();
        },
      ),
      { seed: 80_803, numRuns: 120, endOnFailure: true },
    );
  });
});

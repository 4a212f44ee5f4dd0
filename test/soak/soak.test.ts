import { describe, expect, it, vi } from 'vitest';
import { STALE_CYCLES } from '../../src/defaults.js';
import { DEFAULTS, MissingItemError, PollerDisposedError } from '../../src/index.js';
import { T0, useFakeClock } from '../support/clock.js';
import {
  buildSoak,
  DEFAULT_SOAK,
  HOUR,
  type LiveSub,
  MINUTE,
  mulberry32,
  RESOURCE_A,
  RESOURCE_B,
  type Soak,
  unknownA,
} from './scenario.js';

/** Real time, captured before the fake timers replace hrtime. */
const realHrtime = process.hrtime.bigint;
const realMs = () => Number(realHrtime()) / 1e6;

useFakeClock();

const noop = () => {};
const MAX_ITEMS = RESOURCE_A.maxItems + RESOURCE_B.maxItems;

/** The worst of each count seen while sampling. */
function createSampler(soak: Soak) {
  const { poller, net, live, config } = soak;
  const max = {
    items: 0,
    etags: 0,
    reads: 0,
    cooldownOrigins: 0,
    breakerOrigins: 0,
    requestsInFlight: 0,
    timers: 0,
    entries: 0,
    samples: 0,
    /** Items A and B would hold without LRU eviction. */
    withoutEvictionA: 0,
    withoutEvictionB: 0,
  };
  return {
    max,
    /** Checks the caches' bounds and the poller's bookkeeping against the soak's own. */
    sample() {
      const s = poller.inspect();
      max.samples++;
      max.items = Math.max(max.items, s.resources.items);
      max.etags = Math.max(max.etags, s.resources.etags);
      max.reads = Math.max(max.reads, s.resources.reads);
      max.cooldownOrigins = Math.max(max.cooldownOrigins, s.cooldownOrigins);
      max.breakerOrigins = Math.max(max.breakerOrigins, s.breakerOrigins);
      max.requestsInFlight = Math.max(max.requestsInFlight, s.requestsInFlight);
      max.timers = Math.max(max.timers, s.timers);
      max.entries = Math.max(max.entries, s.entries);
      max.withoutEvictionA = Math.max(
        max.withoutEvictionA,
        soak.itemsA.withoutEviction(RESOURCE_A.gcTime),
      );
      max.withoutEvictionB = Math.max(
        max.withoutEvictionB,
        soak.itemsB.withoutEviction(RESOURCE_B.gcTime),
      );
      const at = `@${Date.now() - T0}`;
      expect(s.resources.items, `items ${at}`).toBeLessThanOrEqual(MAX_ITEMS);
      expect(s.resources.etags, `etags ${at}`).toBeLessThanOrEqual(MAX_ITEMS);
      expect(s.cooldownOrigins, `cooldown origins ${at}`).toBeLessThanOrEqual(
        config.maxTrackedOrigins,
      );
      expect(s.breakerOrigins, `breaker origins ${at}`).toBeLessThanOrEqual(
        config.maxTrackedOrigins,
      );
      // One scheduler entry per live poll plus one per resource group; nothing else lingers.
      const polls = live.filter((sub) => sub.kind !== 'A' && sub.kind !== 'B').length;
      expect(s.entries, `entries ${at}`).toBe(polls + s.resources.groups);
      // At a quiet point the poller's in-flight requests are exactly those the network holds.
      expect(s.requestsInFlight, `in flight ${at}`).toBe(net.inFlight);
      // One per group, and one per lane whose polls wait for their origin's budget.
      expect(s.timers, `timers ${at}`).toBeLessThanOrEqual(s.groups + s.lanes);
      expect(s.lanes, `lanes ${at}`).toBeLessThanOrEqual(20);
      expect(net.violations, `invariants ${at}`).toEqual([]);
    },
  };
}

/** Time to the first data once healthy may not exceed what the gates can explain. */
function latencyBound(sub: LiveSub, start: number, cooldownAtStart: number): number {
  const residue = Math.max(0, cooldownAtStart - start);
  return (
    residue +
    DEFAULTS.breaker.openMs + // a breaker opened just before: one probe after openMs
    15_000 + // a slow answer still in flight (the fake network's slowest)
    Math.max(sub.interval, DEFAULTS.backoff.capMs) * (1 + DEFAULTS.jitter) +
    // A resource key that another (faster) group read just before is not due for this group's
    // next tick: due times count from the key's last read, whoever made it. One more interval.
    (sub.kind === 'A' || sub.kind === 'B' ? sub.interval * (1 + DEFAULTS.jitter) : 0) +
    // B's data (and ETag) changes every 2 minutes; its sweeps take a few 1.5 s requests.
    (sub.kind === 'B' ? 2 * MINUTE + 10_000 : 0)
  );
}

describe('soak: 10,000 subscriptions, 20 origins, 6 virtual hours', () => {
  it('keeps every invariant under faults, visibility flips and churn, and leaks nothing', async () => {
    const startedAt = realMs();
    const soak = buildSoak();
    const { poller, net, config, visibility, online, live } = soak;
    const envRandom = mulberry32(config.seed ^ 0x27d4eb2f);

    // Baseline: what a resource holds after one subscribe/unsubscribe on a fresh poller.
    soak.resourceA.subscribe('00:1', noop).unsubscribe();
    soak.resourceB.subscribe('00:1', noop).unsubscribe();
    const baseline = poller.inspect();
    expect(baseline.resources).toEqual({ items: 2, etags: 0, reads: 0, groups: 0 });
    expect(vi.getTimerCount()).toBe(0);

    soak.subscribeInitial();
    expect(live).toHaveLength(10_000);
    const sampler = createSampler(soak);
    sampler.sample();

    // The timeline: visibility flips (visible 2-20 min, hidden 1-20 min), three offline spells
    // (1-4 min), churn every 3 minutes (0-600 subscriptions swapped), all drawn from the seed.
    const offline = [1, 3, 4.5].map((h) => {
      const from = h * HOUR + Math.floor(envRandom() * 20 * MINUTE);
      return { from, to: from + MINUTE + Math.floor(envRandom() * 3 * MINUTE) };
    });
    const nextFlipAfter = (t: number) =>
      t +
      (visibility.get()
        ? 2 * MINUTE + Math.floor(envRandom() * 18 * MINUTE)
        : MINUTE + Math.floor(envRandom() * 19 * MINUTE));
    let nextFlip = nextFlipAfter(0);
    let nextChurn = MINUTE + 7_000;
    let offlineIndex = 0;
    let hiddenTime = 0;
    let churned = 0;
    let cooldownsAtHealthy = new Map<string, number>();
    let t = 0;
    while (t < config.duration) {
      const spell = offline[offlineIndex];
      const nextOnline =
        spell === undefined ? Number.POSITIVE_INFINITY : online.get() ? spell.from : spell.to;
      const healthy = t < config.healthyFrom ? config.healthyFrom : Number.POSITIVE_INFINITY;
      const next = Math.min(nextFlip, nextChurn, nextOnline, healthy, config.duration);
      await vi.advanceTimersByTimeAsync(next - t);
      await soak.quiet();
      if (!visibility.get()) hiddenTime += next - t;
      t = next;
      expect(Date.now()).toBe(T0 + t);
      sampler.sample();
      if (t === healthy) {
        // Healthy from here on: every fault plan is 'ok', the page stays visible and online.
        visibility.set(true);
        online.set(true);
        nextFlip = Number.POSITIVE_INFINITY;
        cooldownsAtHealthy = new Map(net.cooldownUntil);
      }
      if (t === nextFlip) {
        visibility.set(!visibility.get());
        nextFlip = nextFlipAfter(t);
      }
      if (t === nextOnline) {
        online.set(!online.get());
        if (online.get()) offlineIndex++;
      }
      if (t === nextChurn) {
        const count = Math.floor(soak.churnRandom() * 601);
        soak.churn(count);
        churned += count;
        nextChurn = t + 3 * MINUTE < config.churnUntil ? t + 3 * MINUTE : Number.POSITIVE_INFINITY;
      }
      await soak.quiet();
    }
    const end = Date.now();
    expect(end).toBe(T0 + 6 * HOUR);
    expect(live).toHaveLength(10_000);

    // Invariants held at every request: none sent while hidden (background polls aside) or
    // offline, inside an announced cooldown, while a breaker was open, or as a second probe.
    expect(net.violations).toEqual([]);

    // The soak did exercise what it claims to.
    const stats = poller.stats();
    for (const fault of ['ok', 'e500', 'r429h', 'r429', 's503h', 'net', 'slow']) {
      expect(net.byFault.get(fault), fault).toBeGreaterThan(0);
    }
    expect(stats.rateLimited).toBeGreaterThan(0);
    expect(stats.cooldowns).toBeGreaterThan(0);
    expect(stats.breakerOpened).toBeGreaterThan(0);
    expect(stats.fallbacks).toBeGreaterThan(0);
    expect(stats.notModified).toBeGreaterThan(0);
    expect(stats.missingItems).toBeGreaterThan(0);
    expect(stats.batches).toBeGreaterThan(0);
    expect(stats.itemRequests).toBeGreaterThan(0);
    for (const reason of ['hidden', 'offline', 'cooldown', 'breaker'] as const) {
      expect(stats.skipped[reason], reason).toBeGreaterThan(0);
    }
    // Subscribers saw typed failures (pollwise's timeouts and HTTP errors, the fetch's own
    // network errors, task errors, missing items), never a refusal: a cooldown or an open
    // breaker is not a failure of theirs.
    const errors = soak.delivered.errors;
    for (const name of ['TimeoutError', 'HttpError', 'TypeError', 'Error', 'MissingItemError']) {
      expect(errors.get(name), name).toBeGreaterThan(0);
    }
    expect(errors.get('CooldownError')).toBeUndefined();
    expect(errors.get('BreakerOpenError')).toBeUndefined();
    expect(net.hiddenBackground).toBeGreaterThan(0);
    expect(churned).toBeGreaterThan(20_000);
    expect(sampler.max.cooldownOrigins).toBeGreaterThan(0);
    // The LRU was under pressure: without evictions both resources would have outgrown maxItems.
    expect(sampler.max.withoutEvictionA).toBeGreaterThan(RESOURCE_A.maxItems);
    expect(sampler.max.withoutEvictionB).toBeGreaterThan(RESOURCE_B.maxItems);
    expect(sampler.max.breakerOrigins).toBe(config.maxTrackedOrigins); // the bound was reached

    // Every healthy subscription got data once the network healed, within what the gates
    // explain, and is still fresh at the end; unknown keys report a typed MissingItemError.
    let worstLatency = 0;
    let unknown = 0;
    // A budget learned from the faults' 429s still paces its origin once healthy: its items wait
    // their turn, stalest first, for at most STALE_CYCLES cycles of the budget (every item of
    // the origin served once), and a window for its reset.
    const { budgets } = poller.stats();
    const originOf = (sub: (typeof live)[number]) =>
      new URL(
        sub.kind === 'A' || sub.kind === 'B'
          ? `https://o${sub.key.slice(0, 2)}.test`
          : (sub.key as string),
      ).origin;
    const perOrigin = new Map<string, number>();
    for (const sub of live) perOrigin.set(originOf(sub), (perOrigin.get(originOf(sub)) ?? 0) + 1);
    const pacedCycle = (origin: string) => {
      const budget = budgets[origin];
      if (budget?.limit === undefined || budget.windowMs === undefined) return 0;
      const cycle = ((perOrigin.get(origin) ?? 0) * budget.windowMs) / budget.limit;
      return STALE_CYCLES * cycle + budget.windowMs;
    };
    for (const sub of live) {
      if (sub.kind === 'A' && unknownA(sub.key)) {
        unknown++;
        const snapshot = soak.resourceA.get(sub.key);
        expect(snapshot.status).toBe('error');
        expect(snapshot.error).toBeInstanceOf(MissingItemError);
        continue;
      }
      const start = Math.max(sub.subscribedAt, T0 + config.healthyFrom);
      const origin = originOf(sub);
      const bound =
        latencyBound(sub, start, cooldownsAtHealthy.get(origin) ?? 0) + pacedCycle(origin);
      expect(sub.firstHealthyDataAt, `${sub.kind} ${sub.key}`).toBeGreaterThan(0);
      const latency = sub.firstHealthyDataAt - start;
      worstLatency = Math.max(worstLatency, latency);
      expect(latency, `${sub.kind} ${sub.key}`).toBeLessThanOrEqual(bound);
      const fresh = end - sub.lastDataAt;
      expect(fresh, `${sub.kind} ${sub.key}`).toBeLessThanOrEqual(
        sub.interval * (1 + DEFAULTS.jitter) +
          (sub.kind === 'B' ? 2 * MINUTE + 10_000 : 0) +
          pacedCycle(origin),
      );
      if (sub.kind === 'A' || sub.kind === 'B') {
        const resource = sub.kind === 'A' ? soak.resourceA : soak.resourceB;
        expect(resource.get(sub.key).status).toBe('success');
      }
    }
    expect(unknown).toBeGreaterThan(0);

    const summary =
      `[soak] requests ${net.requests} (max ${net.maxInFlight} in flight); churned ${churned}; ` +
      `hidden ${(hiddenTime / MINUTE).toFixed(0)} min; worst healthy latency ${(worstLatency / 1000).toFixed(1)} s; ` +
      `max ${JSON.stringify(sampler.max)}; faults ${JSON.stringify(Object.fromEntries(net.byFault))}; ` +
      `stats ${JSON.stringify(stats)}`;
    console.log(summary, `; errors ${JSON.stringify(Object.fromEntries(errors))}`);

    // The end comes at a busy moment: from now on every request hangs (abortable) and every
    // resource key is due, so the unsubscribe meets sweeps, reads and requests in flight.
    net.hangMs = MINUTE;
    soak.resourceA.refresh();
    soak.resourceB.refresh();
    await vi.advanceTimersByTimeAsync(5_000);
    await soak.quiet();
    const busy = poller.inspect();
    expect(busy.requestsInFlight).toBeGreaterThan(20);
    expect(busy.requestsInFlight).toBe(net.inFlight);
    expect(busy.running).toBeGreaterThan(20);
    expect(busy.resources.reads).toBeGreaterThan(1000);

    // Unsubscribe everything: nothing may be left running, armed, listening or waiting.
    soak.unsubscribeAll();
    await soak.quiet();
    soak.detachListeners();
    const after = poller.inspect();
    console.log(
      `[soak] after unsubscribing: ${JSON.stringify(after)}; timers ${vi.getTimerCount()}`,
    );
    // Soft: every count that is off is reported, not just the first.
    expect.soft(vi.getTimerCount(), 'fake timers').toBe(0);
    expect.soft(net.inFlight, 'requests the network still holds').toBe(0);
    expect.soft(after).toEqual({
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
      eventListeners: 0,
      cooldownOrigins: after.cooldownOrigins,
      breakerOrigins: after.breakerOrigins,
      budgetOrigins: after.budgetOrigins,
      resources: {
        items: after.resources.items,
        etags: after.resources.etags,
        reads: 0,
        groups: 0,
      },
    });
    expect.soft(after.cooldownOrigins).toBeLessThanOrEqual(config.maxTrackedOrigins);
    expect.soft(after.breakerOrigins).toBeLessThanOrEqual(config.maxTrackedOrigins);
    expect.soft(after.resources.items).toBeLessThanOrEqual(MAX_ITEMS);
    expect.soft(after.resources.items).toBeGreaterThan(baseline.resources.items); // kept for gcTime
    expect.soft(visibility.listeners, 'visibility listeners').toBe(0);
    expect.soft(online.listeners, 'online listeners').toBe(0);

    // Past the grace period, the next subscribe/unsubscribe collects every idle item (and its
    // ETag): the resources are back at the baseline.
    await vi.advanceTimersByTimeAsync(Math.max(RESOURCE_A.gcTime, RESOURCE_B.gcTime) + 1);
    soak.resourceA.subscribe('00:1', noop).unsubscribe();
    soak.resourceB.subscribe('00:1', noop).unsubscribe();
    const collected = poller.inspect().resources;
    console.log(`[soak] after gcTime: ${JSON.stringify(collected)}`);
    expect.soft(collected, 'resources after gcTime').toEqual(baseline.resources);
    expect.soft(vi.getTimerCount(), 'fake timers after gcTime').toBe(0);
    expect(net.violations).toEqual([]);
    poller.dispose();
    console.log(`[soak] real duration ${((realMs() - startedAt) / 1000).toFixed(1)} s`);
  }, 120_000);

  it('dispose() mid-flight, with 10,000 subscriptions and requests pending, leaves nothing', async () => {
    const soak = buildSoak({ ...DEFAULT_SOAK, duration: HOUR, healthyFrom: HOUR });
    const { poller, net, visibility, online, live } = soak;
    soak.subscribeInitial();
    // Twenty minutes of faults and churn, then a moment where requests hang on slow answers.
    for (let minute = 1; minute <= 20; minute++) {
      await vi.advanceTimersByTimeAsync(MINUTE);
      await soak.quiet();
      soak.churn(100);
    }
    expect(net.violations).toEqual([]);
    // From now on every request hangs for a minute (abortable); 25 s later every resource group
    // (refreshed) and every 20 s poll has sent one: pollwise's 10 s timeout has not fired for
    // the latest ones, and task polls (ctx.fetch: no deadline) all still wait.
    net.hangMs = MINUTE;
    soak.resourceA.refresh();
    soak.resourceB.refresh();
    await vi.advanceTimersByTimeAsync(25_000);
    await soak.quiet();
    const before = poller.inspect();
    expect(live).toHaveLength(10_000);
    const polls = live.filter((sub) => sub.kind !== 'A' && sub.kind !== 'B').length;
    expect(before.entries).toBe(polls + before.resources.groups);
    expect(before.resources.items).toBeGreaterThan(3000);
    expect(before.running).toBeGreaterThan(0);
    // Fewer than the lanes allow: in its first minute an origin's budget is discovered with one
    // paced request in flight, and a budget learned from a 429 holds some origins back.
    expect(before.requestsInFlight).toBeGreaterThanOrEqual(10);
    expect(before.requestsInFlight).toBe(net.inFlight);
    expect(vi.getTimerCount()).toBeGreaterThan(before.requestsInFlight); // waits + group timers
    const requestsBefore = net.requests;
    console.log(`[soak] before dispose: ${JSON.stringify(before)}; timers ${vi.getTimerCount()}`);
    const deliveredBefore = soak.delivered.count;
    poller.dispose();
    const disposed = poller.inspect();
    expect(disposed).toMatchObject({
      entries: 0,
      groups: 0,
      timers: 0,
      lanes: 0,
      running: 0,
      queued: 0,
      sharedPolls: 0,
      requestsInFlight: 0,
      environmentListeners: false,
      eventListeners: 0,
      cooldownOrigins: 0,
      breakerOrigins: 0,
      resources: { items: 0, etags: 0, reads: 0, groups: 0 },
    });
    await soak.quiet();
    expect(vi.getTimerCount()).toBe(0);
    expect(net.inFlight).toBe(0);
    expect(visibility.listeners).toBe(0);
    expect(online.listeners).toBe(0);
    // The aborted runs deliver nothing, and nothing runs later.
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(soak.delivered.count).toBe(deliveredBefore);
    expect(net.requests).toBe(requestsBefore);
    expect(() => poller.poll('https://o00.test/p/x')).toThrow(PollerDisposedError);
    // Unsubscribing after dispose is harmless.
    soak.unsubscribeAll();
    expect(vi.getTimerCount()).toBe(0);
  }, 60_000);
});

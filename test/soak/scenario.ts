import { createPoller, MissingItemError, type Poller, type Snapshot } from '../../src/index.js';
import { createResource, type Resource } from '../../src/resource/index.js';
import { T0 } from '../support/clock.js';
import { manualOnline, manualVisibility } from '../support/fake-environment.js';
import { type Answer, type FakeCall, fakeNetwork, settle } from '../support/fake-network.js';
import { track } from '../support/poller.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** Deterministic PRNG (mulberry32): the whole soak is a function of its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const ORIGINS = Array.from(
  { length: 20 },
  (_, i) => `https://o${String(i).padStart(2, '0')}.test`,
);
const originIndex = new Map(ORIGINS.map((o, i) => [o, i]));

export type Fault =
  | 'ok'
  | 'e500' // every answer is a 500
  | 'r429h' // 429 with Retry-After (delay-seconds or HTTP-date)
  | 'r429' // 429 without Retry-After: the default cooldown, doubling per strike
  | 's503h' // 503 with Retry-After
  | 'net' // the fetch rejects with a TypeError (network error)
  | 'slow' // answers after 1-15 s: some beyond pollwise's 10 s timeout
  | 'flaky'; // per request: mostly fine, sometimes any of the above

const FAULTS: Fault[] = ['e500', 'r429h', 'r429', 's503h', 'net', 'slow', 'flaky'];

/** Fault plans last this long; the schedule is drawn from the seed before the run. */
export const PHASE = 10 * MINUTE;

export interface SoakConfig {
  seed: number;
  /** Virtual length of the run. */
  duration: number;
  /** From here on: every origin healthy, page visible and online, no churn after `churnUntil`. */
  healthyFrom: number;
  churnUntil: number;
  /** Origins of resource B whose batch endpoint answers 404 in [from, to). */
  batch404: { origins: number; from: number; to: number };
  /** At most this many origins fail at once (all others are healthy in a phase). */
  maxFaultyOrigins: number;
  maxTrackedOrigins: number;
  /** Plain polls, and subscriptions of resources A and B (many share a key). */
  polls: number;
  subsA: number;
  subsB: number;
}

export const DEFAULT_SOAK: SoakConfig = {
  seed: 0x5eed,
  duration: 6 * HOUR,
  healthyFrom: 5.5 * HOUR,
  churnUntil: 6 * HOUR - 5 * MINUTE,
  batch404: { origins: 4, from: 1 * HOUR, to: 1.75 * HOUR },
  maxFaultyOrigins: 5,
  maxTrackedOrigins: 10,
  polls: 200,
  subsA: 7000,
  subsB: 2800,
};

export const POLL_INTERVALS = [20_000, 30_000, 60_000];
/**
 * Keys per origin (`space`): 3,000 keys for A's 7,000 subscriptions, 1,000 for B's 2,800, so
 * about 2,700 and 940 distinct keys are live; maxItems leaves room for them plus a few idle
 * ones, and gcTime is long, so the LRU has to evict idle items as churn leaves keys behind.
 * B's batch endpoint is slow (1.5 s) and B reads one request at a time, so its sweeps are often
 * under way when the page hides or a 429 arrives: what is left of them must not go out.
 */
export const RESOURCE_A = { interval: 60_000, maxItems: 2950, gcTime: 2 * HOUR, space: 150 };
export const RESOURCE_B = {
  interval: 60_000,
  maxItems: 990,
  gcTime: 2 * HOUR,
  space: 50,
  concurrency: 1,
  batchLatency: 1500,
  itemLatency: 200,
};
/** Background polls (hiddenInterval) may poll while hidden, every 2 minutes. */
export const BACKGROUND_INTERVAL = 120_000;

/** Per (phase, origin): the fault, and the Retry-After of that phase. */
function faultPlan(config: SoakConfig, random: () => number) {
  const phases = Math.ceil(config.duration / PHASE);
  const plan: { fault: Fault; retryAfterS: number; httpDate: boolean }[][] = [];
  for (let p = 0; p < phases; p++) {
    const row = ORIGINS.map(() => ({ fault: 'ok' as Fault, retryAfterS: 0, httpDate: false }));
    if (p * PHASE < config.healthyFrom) {
      const faulty = Math.floor(random() * (config.maxFaultyOrigins + 1));
      const picked = new Set<number>();
      while (picked.size < faulty) picked.add(Math.floor(random() * ORIGINS.length));
      for (const i of picked) {
        row[i] = {
          fault: FAULTS[Math.floor(random() * FAULTS.length)] as Fault,
          retryAfterS: 5 + Math.floor(random() * 116),
          httpDate: random() < 0.3,
        };
      }
    }
    plan.push(row);
  }
  return plan;
}

/** Keys of resource A and B: `07:123` lives on o07. A keys divisible by 97 are unknown. */
export const keyOrigin = (key: string) => ORIGINS[Number(key.slice(0, 2))] as string;
export const unknownA = (key: string) => Number(key.slice(3)) % 97 === 0;

interface Entry {
  id: string;
  v: number;
}

/**
 * The soak's backend for 20 origins, on the fake network. Routes per origin:
 *   GET  /p/:n, /bg/:n      plain polls
 *   POST /a/batch {ids}     resource A (entries for known ids only)
 *   GET  /a/items/:id
 *   GET  /b/batch?ids=..    resource B ({entries}); 404 on some origins for a while
 *   GET  /b/items/:id       with an ETag that changes every 2 minutes; 304 on If-None-Match
 * Answers follow the fault plan. It checks, on every request, the invariants the poller owes:
 * not while hidden (except background polls) or offline, not inside an announced cooldown, not
 * while a breaker is open, and only one probe per half-open breaker.
 */
export function soakNetwork(
  config: SoakConfig,
  plan: ReturnType<typeof faultPlan>,
  random: () => number,
  env: { visible: () => boolean; online: () => boolean },
) {
  const cooldownUntil = new Map<string, number>();
  const breakers = new Map<string, { state: 'open'; until: number } | { probes: number }>();
  const violations: string[] = [];
  const byFault = new Map<string, number>();
  const bump = (name: string) => byFault.set(name, (byFault.get(name) ?? 0) + 1);

  const check = (origin: string, href: string, now: number) => {
    const at = now - T0;
    if (!env.visible()) {
      if (href.includes('/bg/')) net.hiddenBackground++;
      else violations.push(`hidden @${at}: ${href}`);
    }
    if (!env.online()) violations.push(`offline @${at}: ${href}`);
    const cooling = cooldownUntil.get(origin) ?? 0;
    if (now < cooling) violations.push(`cooldown until ${cooling - T0} @${at}: ${href}`);
    const breaker = breakers.get(origin);
    if (breaker !== undefined) {
      if ('state' in breaker) {
        if (now < breaker.until) violations.push(`breaker open @${at}: ${href}`);
      } else if (--breaker.probes < 0) violations.push(`second half-open probe @${at}: ${href}`);
    }
  };

  function faultFor(origin: string, now: number) {
    const phase = Math.min(plan.length - 1, Math.floor((now - T0) / PHASE));
    const row = plan[phase] as (typeof plan)[number];
    const planned = row[originIndex.get(origin) ?? 0] as (typeof row)[number];
    if (planned.fault !== 'flaky') return planned;
    const r = random();
    const fault: Fault =
      r < 0.7
        ? 'ok'
        : r < 0.8
          ? 'e500'
          : r < 0.88
            ? 'net'
            : r < 0.92
              ? 'r429h'
              : r < 0.94
                ? 's503h'
                : 'slow';
    return { ...planned, fault };
  }

  const version = (now: number, every: number) => Math.floor((now - T0) / every);

  function route(call: FakeCall, ids: string[], now: number): Response {
    const { path: pathname } = call;
    if (pathname.startsWith('/p/') || pathname.startsWith('/bg/')) {
      return Response.json({ path: pathname, v: version(now, 1000) });
    }
    if (pathname === '/a/batch') {
      const entries: Entry[] = [];
      for (const id of ids) if (!unknownA(id)) entries.push({ id, v: version(now, 1000) });
      return Response.json(entries);
    }
    if (pathname === '/b/batch') {
      const i = originIndex.get(call.origin) ?? 0;
      const at = now - T0;
      if (i < config.batch404.origins && at >= config.batch404.from && at < config.batch404.to) {
        return new Response('Not Found', { status: 404 });
      }
      return Response.json({ entries: ids.map((id) => ({ id, v: version(now, 2 * MINUTE) })) });
    }
    const item = /^\/(a|b)\/items\/(.+)$/.exec(pathname);
    if (item) {
      const id = decodeURIComponent(item[2] as string);
      if (item[1] === 'a') {
        if (unknownA(id)) return Response.json({ error: 'unknown' }, { status: 404 });
        return Response.json({ id, v: version(now, 1000) });
      }
      const etag = `"${id}:${version(now, 2 * MINUTE)}"`;
      if (call.headers.get('if-none-match') === etag) {
        return new Response(null, { status: 304, headers: { etag } });
      }
      return Response.json({ id, v: version(now, 2 * MINUTE) }, { headers: { etag } });
    }
    return Response.json({ error: 'no route' }, { status: 404 });
  }

  async function respond(call: FakeCall): Promise<Answer> {
    const now = T0 + call.at;
    let ids: string[] = [];
    if (call.path.endsWith('/batch')) {
      ids =
        call.method === 'POST'
          ? ((await call.json()) as { ids: string[] }).ids
          : (call.query.get('ids')?.split(',') ?? []);
    }
    const planned = faultFor(call.origin, now);
    bump(planned.fault);
    const latency = call.path.startsWith('/b/batch')
      ? RESOURCE_B.batchLatency
      : call.path.startsWith('/b/items/')
        ? RESOURCE_B.itemLatency
        : 0;
    if (net.hangMs > 0) await call.sleep(net.hangMs);
    else if (latency > 0) await call.sleep(latency);
    else if (planned.fault === 'slow') await call.sleep(1000 + Math.floor(random() * 14_000));
    const at = Date.now();
    switch (planned.fault) {
      case 'net':
        return new TypeError('fetch failed');
      case 'e500':
        return Response.json({ error: 'boom' }, { status: 500 });
      case 'r429':
        return new Response('slow down', { status: 429 });
      case 'r429h':
      case 's503h': {
        const retryAfter = planned.httpDate
          ? new Date(at + planned.retryAfterS * 1000).toUTCString()
          : String(planned.retryAfterS);
        return new Response('slow down', {
          status: planned.fault === 'r429h' ? 429 : 503,
          headers: { 'retry-after': retryAfter, date: new Date(at).toUTCString() },
        });
      }
      default:
        return route(call, ids, at);
    }
  }

  const wire = fakeNetwork(respond, { record: false });
  const send = wire.fetch;
  const net = Object.assign(wire, {
    /** Every call is checked against the invariants before it reaches the wire. */
    fetch: (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const href =
        typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      check(new URL(href).origin, href, Date.now());
      return send(input, init);
    },
    byFault,
    violations,
    cooldownUntil,
    breakers,
    /** Background polls' requests sent while hidden (allowed: they have a hiddenInterval). */
    hiddenBackground: 0,
    /** While set, every new request waits this long (abortable) before the plan answers it. */
    hangMs: 0,
  });
  return net;
}

/**
 * The items a resource would hold if its LRU never evicted: subscribed keys plus keys idle for
 * less than gcTime (an upper bound: collection is lazy). Above maxItems, the LRU must evict.
 */
function itemTracker() {
  const refs = new Map<string, number>();
  const idleSince = new Map<string, number>();
  return {
    subscribe(key: string) {
      refs.set(key, (refs.get(key) ?? 0) + 1);
      idleSince.delete(key);
    },
    unsubscribe(key: string) {
      const left = (refs.get(key) ?? 1) - 1;
      if (left > 0) refs.set(key, left);
      else {
        refs.delete(key);
        idleSince.set(key, Date.now());
      }
    },
    /** Distinct subscribed keys. */
    get live() {
      return refs.size;
    },
    withoutEviction(gcTime: number) {
      const now = Date.now();
      let idle = 0;
      for (const since of idleSince.values()) if (now - since <= gcTime) idle++;
      return refs.size + idle;
    },
  };
}

/** What the soak knows of one subscription. */
export interface LiveSub {
  kind: 'url' | 'task' | 'bg' | 'A' | 'B';
  key: string;
  interval: number;
  unsubscribe(): void;
  subscribedAt: number;
  /** Last time it received data (a poll's onData, a resource snapshot with status success). */
  lastDataAt: number;
  /** First data at or after max(subscribedAt, healthyFrom). */
  firstHealthyDataAt: number;
  errors: number;
  lastError: unknown;
}

/** Builds the poller, its two resources and the fake network; nothing is subscribed yet. */
export function buildSoak(config: SoakConfig = DEFAULT_SOAK) {
  const planRandom = mulberry32(config.seed);
  const netRandom = mulberry32(config.seed ^ 0x9e3779b9);
  const churnRandom = mulberry32(config.seed ^ 0x85ebca6b);
  const pollerRandom = mulberry32(config.seed ^ 0xc2b2ae35);
  const plan = faultPlan(config, planRandom);
  const visibility = manualVisibility(true);
  const online = manualOnline(true);
  const net = soakNetwork(config, plan, netRandom, {
    visible: visibility.get,
    online: online.get,
  });
  const poller: Poller = track(
    createPoller({
      fetch: net.fetch,
      visibility: visibility.source,
      online: online.source,
      random: pollerRandom,
      maxTrackedOrigins: config.maxTrackedOrigins,
      baseUrl: 'https://app.test/',
    }),
  );

  // What the poller announces: the fake network refuses to believe anything sent inside it.
  const onCooldown = (e: { origin: string; until: number }) => {
    net.cooldownUntil.set(e.origin, Math.max(net.cooldownUntil.get(e.origin) ?? 0, e.until));
  };
  const onOpen = (e: { origin: string; until: number }) => {
    net.breakers.set(e.origin, { state: 'open', until: e.until });
  };
  const onHalfOpen = (e: { origin: string }) => {
    const breaker = net.breakers.get(e.origin);
    // The probe may go only once the open period announced by breaker:open is over.
    if (breaker !== undefined && 'state' in breaker && Date.now() < breaker.until) {
      net.violations.push(`half-open before ${breaker.until - T0} @${Date.now() - T0}`);
    }
    net.breakers.set(e.origin, { probes: 1 });
  };
  const onClose = (e: { origin: string }) => net.breakers.delete(e.origin);
  poller.on('cooldown', onCooldown);
  poller.on('breaker:open', onOpen);
  poller.on('breaker:half-open', onHalfOpen);
  poller.on('breaker:close', onClose);
  const detachListeners = () => {
    poller.off('cooldown', onCooldown);
    poller.off('breaker:open', onOpen);
    poller.off('breaker:half-open', onHalfOpen);
    poller.off('breaker:close', onClose);
  };

  const resourceA: Resource<string, Entry> = createResource<string, Entry>(poller, {
    item: { url: (key) => `${keyOrigin(key)}/a/items/${encodeURIComponent(key)}` },
    batch: {
      url: (keys) => `${keyOrigin(keys[0] as string)}/a/batch`,
      body: (keys) => ({ ids: keys }),
      key: (entry) => (entry as Entry).id,
    },
    interval: RESOURCE_A.interval,
    maxItems: RESOURCE_A.maxItems,
    gcTime: RESOURCE_A.gcTime,
  });
  const resourceB: Resource<string, Entry> = createResource<string, Entry>(poller, {
    item: { url: (key) => `${keyOrigin(key)}/b/items/${encodeURIComponent(key)}` },
    batch: {
      url: (keys) => `${keyOrigin(keys[0] as string)}/b/batch?ids=${keys.join(',')}`,
      select: (json) => (json as { entries: Entry[] }).entries,
      key: (entry) => (entry as Entry).id,
      maxUrlLength: 200, // splits chunks by URL length too
    },
    interval: RESOURCE_B.interval,
    maxItems: RESOURCE_B.maxItems,
    gcTime: RESOURCE_B.gcTime,
    concurrency: RESOURCE_B.concurrency,
  });

  const itemsA = itemTracker();
  const itemsB = itemTracker();
  const live: LiveSub[] = [];
  let counter = 0;
  /** Subscriber callbacks so far (data and errors, polls and resources), errors by name. */
  const delivered = { count: 0, errors: new Map<string, number>() };
  const pick = <T>(items: readonly T[]) => items[Math.floor(churnRandom() * items.length)] as T;

  const noteData = (sub: LiveSub) => {
    delivered.count++;
    const now = Date.now();
    sub.lastDataAt = now;
    if (sub.firstHealthyDataAt === 0 && now >= T0 + config.healthyFrom) {
      sub.firstHealthyDataAt = now;
    }
  };

  function addSub(kind: LiveSub['kind']): LiveSub {
    const origin = pick(ORIGINS);
    const sub: LiveSub = {
      kind,
      key: '',
      interval: 0,
      unsubscribe: () => {},
      subscribedAt: Date.now(),
      lastDataAt: 0,
      firstHealthyDataAt: 0,
      errors: 0,
      lastError: undefined,
    };
    const onData = () => noteData(sub);
    const onError = (error: unknown) => {
      delivered.count++;
      const name = error instanceof Error ? error.name : typeof error;
      delivered.errors.set(name, (delivered.errors.get(name) ?? 0) + 1);
      sub.errors++;
      sub.lastError = error;
    };
    if (kind === 'url' || kind === 'task' || kind === 'bg') {
      sub.interval = kind === 'bg' ? 60_000 : pick(POLL_INTERVALS);
      const n = counter++;
      sub.key = `${origin}/${kind === 'bg' ? 'bg' : 'p'}/${n}`;
      const s =
        kind === 'url' || kind === 'bg'
          ? poller.poll(sub.key, {
              interval: sub.interval,
              ...(kind === 'bg' ? { hiddenInterval: BACKGROUND_INTERVAL } : {}),
              onData,
              onError,
            })
          : poller.poll(
              async ({ fetch }) => {
                const response = await fetch(sub.key);
                if (!response.ok) throw new Error(`status ${response.status}`);
                return response.json();
              },
              { url: sub.key, key: sub.key, interval: sub.interval, onData, onError },
            );
      sub.unsubscribe = () => s.unsubscribe();
    } else {
      const spec = kind === 'A' ? RESOURCE_A : RESOURCE_B;
      const resource = kind === 'A' ? resourceA : resourceB;
      const i = originIndex.get(origin) ?? 0;
      sub.key = `${String(i).padStart(2, '0')}:${Math.floor(churnRandom() * spec.space)}`;
      // A tenth of A's subscriptions poll at 30 s: the same key may sit in two groups.
      const fast = kind === 'A' && churnRandom() < 0.1;
      sub.interval = fast ? 30_000 : spec.interval;
      const listener = (snapshot: Snapshot<Entry>) => {
        if (snapshot.status === 'success') noteData(sub);
        else if (snapshot.status === 'error') onError(snapshot.error);
      };
      const s = resource.subscribe(sub.key, listener, fast ? { interval: 30_000 } : undefined);
      const refs = kind === 'A' ? itemsA : itemsB;
      refs.subscribe(sub.key);
      sub.unsubscribe = () => {
        s.unsubscribe();
        refs.unsubscribe(sub.key);
      };
    }
    live.push(sub);
    return sub;
  }

  /** Draws a kind in the initial proportions. */
  const total = config.polls + config.subsA + config.subsB;
  function drawKind(): LiveSub['kind'] {
    const r = churnRandom() * total;
    if (r < config.polls)
      return r < config.polls / 30 ? 'bg' : r < config.polls / 2 ? 'url' : 'task';
    return r < config.polls + config.subsA ? 'A' : 'B';
  }

  function subscribeInitial(): void {
    for (let i = 0; i < config.polls; i++) addSub(i % 30 === 0 ? 'bg' : i % 2 ? 'url' : 'task');
    for (let i = 0; i < config.subsA; i++) addSub('A');
    for (let i = 0; i < config.subsB; i++) addSub('B');
  }

  /** Unsubscribes `count` random live subscriptions and subscribes as many new ones. */
  function churn(count: number): void {
    for (let i = 0; i < count && live.length > 0; i++) {
      // Swap-remove: O(1) whatever the position.
      const at = Math.floor(churnRandom() * live.length);
      const sub = live[at] as LiveSub;
      live[at] = live[live.length - 1] as LiveSub;
      live.pop();
      sub.unsubscribe();
    }
    for (let i = 0; i < count; i++) addSub(drawKind());
  }

  function unsubscribeAll(): void {
    for (const sub of live.splice(0)) sub.unsubscribe();
  }

  /**
   * Lets everything due now run to the end without moving time: zero-delay timers, promise
   * chains and body reads (one real macrotask flushes what the fake timers cannot).
   */
  const quiet = () => settle({ quietRounds: 3, maxRounds: 200 });

  return {
    config,
    plan,
    poller,
    net,
    visibility,
    online,
    resourceA,
    resourceB,
    live,
    itemsA,
    itemsB,
    delivered,
    churnRandom,
    subscribeInitial,
    churn,
    unsubscribeAll,
    detachListeners,
    quiet,
  };
}

export type Soak = ReturnType<typeof buildSoak>;

export const isMissing = (error: unknown) => error instanceof MissingItemError;

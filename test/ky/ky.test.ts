// pollwise/ky against a real HTTP server on 127.0.0.1, with ky 1 (the package's dependency) and
// ky 2 (installed at test time from the registry, never a dependency: ky 2.1 needs node >= 22).
// Time that pollwise measures (cooldowns, breaker) is a manual clock; ky's timers are real.
import type http from 'node:http';
import type { Options } from 'ky';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BreakerOpenError,
  CooldownError,
  createPoller,
  InvalidOptionsError,
  isCooldownError,
  type Poller,
  type PollerEvents,
  type PollerOptions,
} from '../../src/index.js';
import { createKy, politeKy } from '../../src/ky/index.js';
import { type ManualClock, manualClock, waitFor } from '../support/clock.js';
import { readBody, sendJson, startLoopbackServer } from '../support/loopback-server.js';
import { EXACT_TIMING, track } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';
import { KY2_VERSION, type LoadedKy, loadKy1, loadKy2, offline } from './ky-versions.js';

type Server = Awaited<ReturnType<typeof startLoopbackServer>>;
type Route = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: Server;
/** The current test's handler; the default answers 200 with the path. */
let route: Route;
const okRoute: Route = (req, res) => sendJson(res, 200, { path: req.url });
/** Responses a test holds open (a server that never answers); ended after each test. */
const held = new Set<http.ServerResponse>();
let before = 0;
/** Requests the server saw in this test. */
const served = () => server.requests.slice(before);

beforeAll(async () => {
  server = await startLoopbackServer((req, res) => route(req, res));
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  route = okRoute;
  before = server.requests.length;
});
afterEach(() => {
  for (const res of held) res.destroy();
  held.clear();
});

const hang: Route = (_req, res) => {
  held.add(res);
};

interface Setup {
  poller: Poller;
  clock: ManualClock;
  events: { type: keyof PollerEvents; origin?: string }[];
}

function setup(options: PollerOptions = {}): Setup {
  const clock = manualClock();
  const poller = track(
    createPoller({ ...EXACT_TIMING, clock, fetch: globalThis.fetch, ...options }),
  );
  const events: Setup['events'] = [];
  for (const type of ['breaker:open', 'breaker:half-open', 'breaker:close', 'cooldown'] as const) {
    poller.on(type, (event) => events.push({ type, origin: event.origin }));
  }
  return { poller, clock, events };
}

/** ky's base-URL option: `prefixUrl` in ky 1, `prefix` in ky 2 (ky 2 throws on prefixUrl). */
const prefixed = (k: LoadedKy, origin: string): Options =>
  (k.major === 1 ? { prefixUrl: origin } : { prefix: origin }) as Options;

/** The suite, run once per ky major. */
function kySuite(load: () => Promise<LoadedKy>) {
  let k: LoadedKy;
  let loadError: unknown;
  beforeAll(async () => {
    try {
      k = await load();
    } catch (error) {
      loadError = error;
    }
  }, 180_000);
  // A ky that cannot be loaded (say, the registry is unreachable) fails every case, by name:
  // a failed beforeAll alone would report them as skipped.
  beforeEach(() => {
    if (loadError !== undefined) throw loadError;
  });

  it('myKy.extend(politeKy(poller)): GET, POST and a custom fetch are each admitted once', async () => {
    const { poller } = setup();
    route = async (req, res) => sendJson(res, 200, { path: req.url, body: await readBody(req) });
    const api = k.ky.create({ ...prefixed(k, server.origin), retry: 0 }).extend(politeKy(poller));

    expect(await api.get('a').json()).toEqual({ path: '/a', body: '' });
    expect(await api.get('b', { searchParams: { q: '1' } }).json()).toEqual({
      path: '/b?q=1',
      body: '',
    });
    expect(await api.post('c', { json: { n: 1 } }).json()).toEqual({
      path: '/c',
      body: '{"n":1}',
    });

    // The app's own fetch is kept, behind the door.
    let custom = 0;
    const own = k.ky
      .create({
        ...prefixed(k, server.origin),
        retry: 0,
        fetch: (input: RequestInfo | URL, init?: RequestInit) => {
          custom++;
          return globalThis.fetch(input, init);
        },
      })
      .extend(politeKy(poller));
    await own.get('d').json();

    expect(custom).toBe(1);
    expect(served().map((r) => `${r.method} ${r.url}`)).toEqual([
      'GET /a',
      'GET /b?q=1',
      'POST /c',
      'GET /d',
    ]);
    expect(poller.stats().sent).toBe(4);
    expect(poller.stats().responses).toBe(4);
  });

  it('the measured bug: fetch: poller.wrapFetch() AND politeKy(poller) count every request once', async () => {
    const { poller } = setup();
    const sent: string[] = [];
    poller.on('request', (event) => sent.push(event.url));
    const api = k.ky
      .create({ ...prefixed(k, server.origin), retry: 0, fetch: poller.wrapFetch() })
      .extend(politeKy(poller))
      // Extending twice is harmless too: no second wrap, no second hook.
      .extend(politeKy(poller));
    const wrappedOwn = k.ky
      .create({
        ...prefixed(k, server.origin),
        retry: 0,
        fetch: poller.wrapFetch(globalThis.fetch),
      })
      .extend(politeKy(poller));

    for (let i = 0; i < 3; i++) await api.get(`n${i}`).json();
    await wrappedOwn.get('own').json();

    expect(served()).toHaveLength(4);
    expect(poller.stats().sent).toBe(4);
    expect(sent).toHaveLength(4);
  });

  it('the measured bug: a half-open probe through wrapFetch + politeKy is sent and closes the breaker', async () => {
    const openMs = 30_000;
    const { poller, clock, events } = setup({
      breaker: { minRequests: 4, failureRatio: 0.5, openMs },
    });
    const api = k.ky
      .create({ ...prefixed(k, server.origin), retry: 0, fetch: poller.wrapFetch() })
      .extend(politeKy(poller));

    route = (_req, res) => sendJson(res, 500, { down: true });
    for (let i = 0; i < 4; i++) {
      const error = await rejectionOf(api.get('fail').json());
      expect(error).toBeInstanceOf(k.HTTPError);
    }
    expect(events.map((e) => e.type)).toEqual(['breaker:open']);
    expect(served()).toHaveLength(4);

    // Open: refused before the network, with pollwise's error, through ky.
    const refused = await rejectionOf(api.get('refused').json());
    expect(refused).toBeInstanceOf(BreakerOpenError);
    expect(served()).toHaveLength(4);

    // Not yet due: still refused.
    await clock.advance(openMs - 1);
    expect(await rejectionOf(api.get('early').json())).toBeInstanceOf(BreakerOpenError);

    // Due: the next request is the probe; it goes out, succeeds and closes the breaker.
    await clock.advance(1);
    route = okRoute;
    expect(await api.get('probe').json()).toEqual({ path: '/probe' });
    expect(events.map((e) => e.type)).toEqual([
      'breaker:open',
      'breaker:half-open',
      'breaker:close',
    ]);

    // Closed: requests go out again, each counted once.
    for (let i = 0; i < 3; i++) await api.get(`after${i}`).json();
    expect(served().map((r) => r.url)).toEqual([
      '/fail',
      '/fail',
      '/fail',
      '/fail',
      '/probe',
      '/after0',
      '/after1',
      '/after2',
    ]);
    const stats = poller.stats();
    expect(stats.sent).toBe(served().length);
    expect(stats.refused).toBe(2);
    expect(stats.breakerOpened).toBe(1);
  });

  it('a 429 with Retry-After seen through ky cools down every path of the origin', async () => {
    const { poller, clock, events } = setup();
    const api = k.ky.create({ ...prefixed(k, server.origin), retry: 0 }).extend(politeKy(poller));
    route = (req, res) =>
      req.url === '/limited'
        ? sendJson(res, 429, { slow: 'down' }, { 'retry-after': '7' })
        : sendJson(res, 200, { path: req.url });

    const limited = await rejectionOf(api.get('limited').json());
    expect(limited).toBeInstanceOf(k.HTTPError);
    expect((limited as InstanceType<LoadedKy['HTTPError']>).response.status).toBe(429);
    expect(events.map((e) => e.type)).toEqual(['cooldown']);
    const until = clock.now() + 7000;
    expect(poller.cooldownUntil(server.origin)).toBe(until);

    // The ky instance itself is refused with pollwise's CooldownError, before the network.
    const kyRefusal = await rejectionOf(api.get('again').json());
    expect(kyRefusal).toBeInstanceOf(CooldownError);
    expect(kyRefusal).toMatchObject({ origin: server.origin, retryAt: until, retryAfterMs: 7000 });
    // So is the poller's fetch wrapper, and another ky instance on the same poller.
    expect(await rejectionOf(poller.wrapFetch()(`${server.origin}/wrapped`))).toBeInstanceOf(
      CooldownError,
    );
    expect(isCooldownError(await rejectionOf(createKy(poller).get(`${server.origin}/x`)))).toBe(
      true,
    );

    // A poll of the same origin is held back (not sent, no error) until Retry-After passes.
    const data: unknown[] = [];
    const errors: unknown[] = [];
    const poll = poller.poll(`${server.origin}/poll`, {
      onData: (d) => data.push(d),
      onError: (e) => errors.push(e),
    });
    await clock.advance(6999);
    expect(served().map((r) => r.url)).toEqual(['/limited']);
    expect(poll.getSnapshot().status).toBe('pending');
    expect(errors).toEqual([]);

    // Retry-After has passed: the poll runs by itself, and ky and wrapFetch go out again.
    await clock.advance(1);
    await waitFor(() => data.length === 1, 'the poll after the cooldown');
    expect(data).toEqual([{ path: '/poll' }]);
    expect(await api.get('later').json()).toEqual({ path: '/later' });
    expect((await poller.wrapFetch()(`${server.origin}/wrapped-later`)).status).toBe(200);

    expect(served().map((r) => r.url)).toEqual(['/limited', '/poll', '/later', '/wrapped-later']);
    expect(poller.stats().sent).toBe(4);
    expect(poller.stats().refused).toBe(3);
    expect(errors).toEqual([]);
  });

  it("ky never retries a refusal; the app's retry limit and shouldRetry are kept", async () => {
    const { poller } = setup({ breaker: false });
    route = (req, res) =>
      req.url === '/limited' ? sendJson(res, 429, {}) : sendJson(res, 500, { path: req.url });

    // The app's limit (1, not ky's default 2) still applies to a 500: one retry.
    const limited = k.ky
      .create({ ...prefixed(k, server.origin), retry: 1 })
      .extend(politeKy(poller));
    expect(await rejectionOf(limited.get('flaky'))).toBeInstanceOf(k.HTTPError);
    expect(served().map((r) => r.url)).toEqual(['/flaky', '/flaky']);

    // The app's own shouldRetry is still asked.
    const never = k.ky
      .create({ ...prefixed(k, server.origin), retry: { limit: 2, shouldRetry: () => false } })
      .extend(politeKy(poller));
    expect(await rejectionOf(never.get('once'))).toBeInstanceOf(k.HTTPError);
    expect(served().map((r) => r.url)).toEqual(['/flaky', '/flaky', '/once']);

    // A 429 without Retry-After: ky retries it (default retry), the retry is refused by the
    // cooldown, and that refusal ends it (ky 1 would retry a refusal like a network error).
    const defaults = k.ky.create(prefixed(k, server.origin)).extend(politeKy(poller));
    const error = await rejectionOf(defaults.get('limited'));
    expect(error).toBeInstanceOf(CooldownError);
    expect(served().map((r) => r.url)).toEqual(['/flaky', '/flaky', '/once', '/limited']);
    expect(poller.stats().refused).toBe(1);
    expect(poller.stats().sent).toBe(4);
  });

  return {
    get ky() {
      return k;
    },
  };
}

/** ky's own `timeout`, 3 times against a server that never answers; what the breaker saw. */
async function threeKyTimeouts(k: LoadedKy) {
  const { poller, events } = setup({ breaker: { minRequests: 3, failureRatio: 0.5 } });
  const seenByHook: unknown[] = [];
  const api = k.ky
    .create({
      ...prefixed(k, server.origin),
      retry: 0,
      timeout: 150,
      hooks: {
        // The app's own hook, to see whether ky calls beforeError for a timeout at all.
        beforeError: [
          ((argument: Error | { error: Error }) => {
            const error = argument instanceof Error ? argument : argument.error;
            seenByHook.push(error.name);
            return error;
          }) as never,
        ],
      },
    })
    .extend(politeKy(poller));
  route = hang;
  for (let i = 0; i < 3; i++) {
    const error = await rejectionOf(api.get(`slow${i}`).json());
    expect(error).toBeInstanceOf(k.TimeoutError);
  }
  await waitFor(() => served().length === 3, 'the three slow requests at the server');
  expect(poller.stats().sent).toBe(3);
  const fourth = await rejectionOf(api.get('fourth').json());
  return { poller, events, seenByHook, fourth };
}

describe('pollwise/ky with ky 1 (the dependency)', () => {
  const suite = kySuite(loadKy1);

  it('is ky 1.x', () => {
    expect(suite.ky.version).toMatch(/^1\.(1[4-9]|[2-9]\d)\./);
  });

  it('createKy(poller): each request is admitted once; no ky retries, no ky timeout by default', async () => {
    const { poller } = setup();
    const api = createKy(poller, { prefixUrl: server.origin });
    route = (req, res) =>
      req.url === '/boom' ? sendJson(res, 503, {}) : sendJson(res, 200, { path: req.url });

    expect(await api.get('one').json()).toEqual({ path: '/one' });
    expect(await api.post('two', { json: {} }).json()).toEqual({ path: '/two' });
    // ky would retry a 503 twice by default; createKy leaves retrying to the poller.
    expect(await rejectionOf(api.get('boom'))).toBeInstanceOf(suite.ky.HTTPError);
    expect(served().map((r) => r.url)).toEqual(['/one', '/two', '/boom']);
    expect(poller.stats().sent).toBe(3);
  });

  it("createKy refuses ky 2's prefix and baseUrl (the ky inside is ky 1, which would ignore them)", () => {
    const { poller } = setup();
    const error = (() => {
      try {
        createKy(poller, { prefix: server.origin, baseUrl: server.origin } as Options);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidOptionsError);
    expect((error as InvalidOptionsError).issues.map((i) => i.option)).toEqual([
      'createKy.prefix',
      'createKy.baseUrl',
    ]);
  });

  it('LIMITATION: ky 1 does not call beforeError for its own timeouts, so they never reach the breaker', async () => {
    const { events, seenByHook, fourth } = await threeKyTimeouts(suite.ky);
    // Verified: ky 1 calls beforeError for HTTPError only; a timeout is an abort to the fetch.
    expect(seenByHook).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([]);
    // The breaker stayed closed: the fourth request went out (and timed out).
    expect(fourth).toBeInstanceOf(suite.ky.TimeoutError);
    expect(served()).toHaveLength(4);
  });
});

describe.skipIf(offline)(`pollwise/ky with ky ${KY2_VERSION} (from the registry)`, () => {
  const suite = kySuite(loadKy2);

  it('is ky 2.x', () => {
    expect(suite.ky.version).toBe(KY2_VERSION);
  });

  it("ky 2's baseUrl works through the door too", async () => {
    const { poller } = setup();
    const api = suite.ky.ky
      .create({ baseUrl: `${server.origin}/api/`, retry: 0 } as Options)
      .extend(politeKy(poller));
    expect(await api.get('items').json()).toEqual({ path: '/api/items' });
    expect(poller.stats().sent).toBe(1);
    expect(served()).toHaveLength(1);
  });

  it("a ky TimeoutError (ky's own timeout) counts against the breaker", async () => {
    const { events, seenByHook, fourth } = await threeKyTimeouts(suite.ky);
    // ky 2 calls beforeError for every error: the refusal of the fourth request too.
    expect(seenByHook).toEqual([
      'TimeoutError',
      'TimeoutError',
      'TimeoutError',
      'BreakerOpenError',
    ]);
    expect(events.map((e) => e.type)).toEqual(['breaker:open']);
    // Open: the fourth request is refused before the network.
    expect(fourth).toBeInstanceOf(BreakerOpenError);
    expect(served()).toHaveLength(3);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type BackendCall,
  LiveBackend,
  type Route,
} from '../../../playground/server/live-backend.js';
import { type BackendSettings, DEFAULT_SETTINGS } from '../../../playground/server/settings.js';
import { VirtualClock } from '../../../playground/sim/virtual-clock.js';

const START = 1_700_000_000_000;
const LATENCY = 40;

/** A backend on a virtual clock; `random` hands out the given numbers in turn, then 0.5. */
function setup(settings: Partial<BackendSettings> = {}, randoms: number[] = []) {
  const clock = new VirtualClock(START);
  let randomCalls = 0;
  const random = () => {
    randomCalls++;
    return randoms.shift() ?? 0.5;
  };
  const backend = new LiveBackend({ latencyMs: LATENCY, ...settings }, random, clock);

  type CallInit = Partial<Omit<BackendCall, 'client' | 'path' | 'signal'>> & {
    signal?: AbortSignal;
  };
  /** Sends one request as `client`; resolves once the clock has delivered it. */
  const call = (client: string, path: string, init: CallInit = {}) =>
    backend.handle({
      client,
      method: init.method ?? 'GET',
      path,
      url: init.url ?? `/c/${client}${path}`,
      headers: init.headers ?? new Headers(),
      body: init.body,
      signal: init.signal ?? new AbortController().signal,
      listener: init.listener ?? 'page',
    });
  /** Sends the requests one after the other, each answered before the next; their statuses. */
  const statuses = async (client: string, n: number, path = '/api/items/1') => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const pending = call(client, path);
      await clock.advanceBy(backend.settings.latencyMs);
      out.push((await pending).status);
    }
    return out;
  };
  const batch = (client: string, runIds: number[]) =>
    call(client, '/api/get_logs_batch', {
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({
        project: 'p',
        runs: runIds.map((id) => ({ run: `r${id}`, run_id: id })),
      }),
    });
  return { clock, backend, call, statuses, batch, randomCalls: () => randomCalls };
}

/** Whether `promise` has settled, after the pending reactions ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('LiveBackend settings', () => {
  it('starts from the defaults with the given switches', () => {
    const backend = new LiveBackend({ limitPerMinute: 7 });
    expect(backend.settings).toEqual({ ...DEFAULT_SETTINGS, limitPerMinute: 7 });
    expect(backend.preflights).toBe(0);
  });

  it('throws on bad settings at construction, naming the setting', () => {
    expect(() => new LiveBackend({ errorRate: 2 })).toThrow('errorRate: bad value 2');
  });

  it('update() applies a patch, returns the settings, and throws changing nothing on a bad one', () => {
    const { backend } = setup();
    expect(backend.update({ errorRate: 0.5 })).toEqual({
      ...DEFAULT_SETTINGS,
      latencyMs: LATENCY,
      errorRate: 0.5,
    });
    expect(() => backend.update({ latencyMs: 5, limitPerMinute: -1 })).toThrow(
      'limitPerMinute: bad value -1',
    );
    expect(() => backend.update({ nope: true })).toThrow('unknown setting "nope"');
    expect(backend.settings).toEqual({ ...DEFAULT_SETTINGS, latencyMs: LATENCY, errorRate: 0.5 });
  });
});

describe('LiveBackend answers', () => {
  it('answers an item after exactly the latency, on the injected clock', async () => {
    const { clock, call } = setup();
    const pending = call('a', '/api/items/3');
    await clock.runUntil(START + LATENCY - 1);
    expect(await settled(pending)).toBe(false);
    await clock.runUntil(START + LATENCY);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 3, version: Math.floor(START / 1000) });
  });

  it('answers 429 + Retry-After beyond the per-client limit, each client with its own budget', async () => {
    const { clock, call, statuses } = setup({ limitPerMinute: 2 });
    expect(await statuses('a', 3)).toEqual([200, 200, 429]);
    expect(await statuses('b', 2)).toEqual([200, 200]);
    const refused = call('a', '/api/items/1');
    await clock.advanceBy(LATENCY);
    // a's oldest request leaves the rolling minute at START + 60 s, 59.8 s later: rounded up.
    expect((await refused).headers.get('retry-after')).toBe('60');
  });

  it('charges the client of the path, whatever x-client-id the request carries', async () => {
    const { clock, call } = setup({ limitPerMinute: 1 });
    const first = call('a', '/api/items/1', { headers: new Headers({ 'x-client-id': 'b' }) });
    const second = call('a', '/api/items/1', { headers: new Headers({ 'x-client-id': 'c' }) });
    await clock.advanceBy(LATENCY);
    expect([(await first).status, (await second).status]).toEqual([200, 429]);
  });

  it('answers 404 for the batch route while batchEndpoint is off', async () => {
    const { clock, batch } = setup({ batchEndpoint: false });
    const pending = batch('a', [1, 2]);
    await clock.advanceBy(LATENCY);
    expect((await pending).status).toBe(404);
  });

  it('adds draft-11 RateLimit headers while rateLimitHeaders is on', async () => {
    const { clock, call } = setup({ rateLimitHeaders: true, limitPerMinute: 5 });
    const pending = call('a', '/api/items/1');
    await clock.advanceBy(LATENCY);
    const response = await pending;
    expect(response.headers.get('ratelimit-policy')).toBe('"default";q=5;w=60');
    expect(response.headers.get('ratelimit')).toBe('"default";r=4;t=60');
  });
});

describe('LiveBackend forced 429s', () => {
  it("answers that client's next request only, with that Retry-After, after the latency", async () => {
    const { clock, backend, call, statuses } = setup();
    backend.force429('a', 7);
    expect(await statuses('b', 1)).toEqual([200]);
    const forced = call('a', '/api/items/1');
    await clock.runUntil(START + LATENCY * 2 - 1);
    expect(await settled(forced)).toBe(false);
    await clock.advanceBy(1);
    const response = await forced;
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await statuses('a', 2)).toEqual([200, 200]);
  });

  it("with '*', answers the next request of any client, once", async () => {
    const { backend, statuses } = setup();
    backend.force429('*', 3);
    expect(await statuses('b', 2)).toEqual([429, 200]);
    expect(await statuses('a', 1)).toEqual([200]);
  });

  it("a client's own forced 429 goes first; '*' then takes its next request", async () => {
    const { clock, backend, call, statuses } = setup();
    backend.force429('*', 3);
    backend.force429('a', 9);
    const retryAfters: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const pending = call('a', '/api/items/1');
      await clock.advanceBy(LATENCY);
      retryAfters.push((await pending).headers.get('retry-after'));
    }
    expect(retryAfters).toEqual(['9', '3', null]);
    expect(backend.requests().map((r) => r.status)).toEqual([429, 429, 200]);
    expect(await statuses('b', 1)).toEqual([200]);
  });

  it('forcing the same client again replaces the Retry-After; it still answers one request', async () => {
    const { clock, backend, call, statuses } = setup();
    backend.force429('a', 3);
    backend.force429('a', 5);
    const pending = call('a', '/api/items/1');
    await clock.advanceBy(LATENCY);
    expect((await pending).headers.get('retry-after')).toBe('5');
    expect(await statuses('a', 1)).toEqual([200]);
  });

  it('does not use up the budget, and needs no random number', async () => {
    const { backend, statuses, randomCalls } = setup({ limitPerMinute: 1 });
    backend.force429('a', 2);
    expect(await statuses('a', 3)).toEqual([429, 200, 429]);
    // Only the two requests that reached the error-rate draw asked for one.
    expect(randomCalls()).toBe(2);
  });

  it.each([0, -1, 1.5, 601, Number.NaN, '5'])('throws on retryAfter %j', (bad) => {
    const { backend, statuses } = setup();
    expect(() => backend.force429('a', bad as number)).toThrow(
      `retryAfter: bad value ${JSON.stringify(bad)}`,
    );
    return statuses('a', 1).then((s) => expect(s).toEqual([200]));
  });

  it('accepts retryAfter 1 and 600', async () => {
    const { backend, statuses } = setup();
    backend.force429('a', 1);
    backend.force429('b', 600);
    expect(await statuses('a', 1)).toEqual([429]);
    expect(await statuses('b', 1)).toEqual([429]);
  });
});

describe('LiveBackend error rate', () => {
  it('errorRate 1 answers 500 to every request, after the latency', async () => {
    const { clock, call, statuses } = setup({ errorRate: 1 }, [0.999_999]);
    const pending = call('a', '/api/items/1');
    await clock.advanceBy(LATENCY - 1);
    expect(await settled(pending)).toBe(false);
    await clock.advanceBy(1);
    expect((await pending).status).toBe(500);
    expect(await statuses('a', 3)).toEqual([500, 500, 500]);
  });

  it('errorRate 0 never answers 500, even for a draw of 0', async () => {
    const { statuses } = setup({ errorRate: 0 }, [0, 0, 0]);
    expect(await statuses('a', 3)).toEqual([200, 200, 200]);
  });

  it('answers 500 when the draw is below the rate; a 500 does not use up the budget', async () => {
    const { statuses } = setup({ errorRate: 0.5, limitPerMinute: 1 }, [0.49, 0.5, 0.1, 0.9]);
    expect(await statuses('a', 4)).toEqual([500, 200, 500, 429]);
  });

  it('follows an update of the rate at once', async () => {
    const { backend, statuses } = setup({}, [0.1, 0.1]);
    expect(await statuses('a', 1)).toEqual([200]);
    backend.update({ errorRate: 0.2 });
    expect(await statuses('a', 1)).toEqual([500]);
  });
});

describe('LiveBackend update() and the budget', () => {
  it('a new limit starts a fresh budget for every client', async () => {
    const { backend, statuses } = setup({ limitPerMinute: 2 });
    expect(await statuses('a', 3)).toEqual([200, 200, 429]);
    expect(await statuses('b', 2)).toEqual([200, 200]);
    backend.update({ limitPerMinute: 3 });
    expect(await statuses('a', 4)).toEqual([200, 200, 200, 429]);
    expect(await statuses('b', 4)).toEqual([200, 200, 200, 429]);
  });

  it('the same limit, or a switch the simulator does not use, keeps the budget', async () => {
    const { backend, statuses } = setup({ limitPerMinute: 2 });
    expect(await statuses('a', 2)).toEqual([200, 200]);
    backend.update({ limitPerMinute: 2, errorRate: 0, exposeRetryAfter: false });
    expect(await statuses('a', 1)).toEqual([429]);
  });

  it.each([
    ['latencyMs', { latencyMs: 10 }],
    ['batchEndpoint', { batchEndpoint: false }],
    ['rateLimitHeaders', { rateLimitHeaders: true }],
  ])('a change of %s starts a fresh budget too', async (_name, patch) => {
    const { backend, statuses } = setup({ limitPerMinute: 1 });
    expect(await statuses('a', 2)).toEqual([200, 429]);
    backend.update(patch);
    expect(await statuses('a', 2)).toEqual([200, 429]);
  });

  it('a rejected update keeps the budget', async () => {
    const { backend, statuses } = setup({ limitPerMinute: 1 });
    expect(await statuses('a', 1)).toEqual([200]);
    expect(() => backend.update({ limitPerMinute: 5, latencyMs: -5 })).toThrow();
    expect(await statuses('a', 1)).toEqual([429]);
  });
});

describe('LiveBackend request log', () => {
  it('records client, method, url, route, status and listener of every request, in order', async () => {
    const { clock, backend, call } = setup();
    const paths: [string, Route][] = [
      ['/api/items/4', 'item'],
      ['/api/get_logs?project=p&run=r&run_id=4', 'item'],
      ['/api/summary', 'summary'],
      ['/api/nothing-here', 'other'],
    ];
    const pending = paths.map(([path], i) =>
      call('a', path, { listener: i % 2 === 0 ? 'page' : 'api' }),
    );
    // Counted on arrival, status 0 until answered.
    expect(backend.requests().map((r) => r.status)).toEqual([0, 0, 0, 0]);
    await clock.advanceBy(LATENCY);
    await Promise.all(pending);
    expect(backend.requests()).toEqual(
      paths.map(([path, route], i) => ({
        seq: i + 1,
        at: START,
        client: 'a',
        method: 'GET',
        url: `/c/a${path}`,
        route,
        status: route === 'other' ? 404 : 200,
        listener: i % 2 === 0 ? 'page' : 'api',
      })),
    );
  });

  it("records a batch's run count as keys, also for a 413, and none for a refused batch", async () => {
    const { clock, backend, batch } = setup({ limitPerMinute: 2 });
    const runs65 = Array.from({ length: 65 }, (_, i) => i);
    const pending = [batch('a', [1, 2, 3]), batch('a', runs65), batch('a', [1])];
    await clock.advanceBy(LATENCY);
    const responses = await Promise.all(pending);
    expect(responses.map((r) => r.status)).toEqual([200, 413, 429]);
    expect(await responses[0]!.json()).toHaveLength(3);
    expect(
      backend
        .requests()
        .map(({ route, status, keys, method }) => ({ route, status, keys, method })),
    ).toEqual([
      { route: 'batch', status: 200, keys: 3, method: 'POST' },
      { route: 'batch', status: 413, keys: 65, method: 'POST' },
      { route: 'batch', status: 429, keys: undefined, method: 'POST' },
    ]);
    expect('keys' in backend.requests()[2]!).toBe(false);
  });

  it('filters by client and by since (inclusive)', async () => {
    const { clock, backend, statuses } = setup();
    await statuses('a', 1);
    await statuses('b', 1);
    await statuses('a', 1);
    expect(backend.requests({ client: 'a' }).map((r) => r.seq)).toEqual([1, 3]);
    expect(backend.requests({ since: START + LATENCY }).map((r) => r.seq)).toEqual([2, 3]);
    expect(backend.requests({ client: 'a', since: START + 1 }).map((r) => r.seq)).toEqual([3]);
    expect(backend.requests({ client: 'nobody' })).toEqual([]);
    expect(clock.now()).toBe(START + 3 * LATENCY);
  });

  it('keeps 10 minutes: a request exactly 10 min old stays, one older goes with the next arrival', async () => {
    const { clock, backend, statuses } = setup({ latencyMs: 0 });
    await statuses('a', 1); // at START
    await clock.runUntil(START + 1000);
    await statuses('b', 1); // at START + 1 s
    await clock.runUntil(START + 600_000);
    await statuses('a', 1);
    expect(backend.requests().map((r) => r.at)).toEqual([START, START + 1000, START + 600_000]);
    await clock.runUntil(START + 600_001);
    await statuses('a', 1);
    expect(backend.requests().map((r) => r.at)).toEqual([
      START + 1000,
      START + 600_000,
      START + 600_001,
    ]);
    // Sequence numbers keep counting across the trim.
    expect(backend.requests().map((r) => r.seq)).toEqual([2, 3, 4]);
  });
});

describe('LiveBackend aborted requests', () => {
  it('a request aborted before it is handled gets a 499 at once and is logged', async () => {
    const { backend, call } = setup();
    const abort = new AbortController();
    abort.abort(new Error('gone'));
    const response = await call('a', '/api/items/1', { signal: abort.signal });
    expect(response.status).toBe(499);
    expect(backend.requests().map((r) => [r.seq, r.status])).toEqual([[1, 499]]);
  });

  it('a request aborted during the latency resolves 499 then, and its answer never comes', async () => {
    const { clock, backend, call } = setup();
    const abort = new AbortController();
    const pending = call('a', '/api/items/1', { signal: abort.signal });
    await clock.advanceBy(LATENCY - 10);
    abort.abort(new Error('gone'));
    expect((await pending).status).toBe(499);
    expect(clock.now()).toBe(START + LATENCY - 10);
    expect(clock.pending).toBe(0);
    expect(backend.requests()[0]!.status).toBe(499);
  });

  it.each([
    ['a forced 429', (b: LiveBackend) => b.force429('a', 5)],
    ['an injected 500', (b: LiveBackend) => b.update({ errorRate: 1 })],
  ])('%s aborted during the latency resolves 499 and clears its timer', async (_name, arrange) => {
    const { clock, backend, call } = setup();
    arrange(backend);
    const abort = new AbortController();
    const pending = call('a', '/api/items/1', { signal: abort.signal });
    await clock.advanceBy(1);
    expect(clock.pending).toBe(1);
    abort.abort(new Error('gone'));
    expect((await pending).status).toBe(499);
    expect(clock.pending).toBe(0);
    expect(backend.requests()[0]!.status).toBe(499);
  });
});

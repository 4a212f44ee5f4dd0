import { describe, expect, it } from 'vitest';
import { createPoller, type FetchFunction, HttpError, type PollerEvents } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { type FakeCall, fakeNetwork, status } from '../support/fake-network.js';
import { EXACT_TIMING, fakePoller, track } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

useFakeClock();

const TOKEN = 'tok_9f2c1e7a_SECRET';
const BEARER = `Bearer ${TOKEN}`;
const A = 'http://a.test';

/** The request a transport call amounts to (the real fetch does the same merge). */
const asRequest = (call: FakeCall) => new Request(call.input, call.init);

function sentCredentials(call: FakeCall): RequestCredentials {
  return (
    call.init?.credentials ??
    (call.input instanceof Request ? call.input.credentials : 'same-origin')
  );
}

/** The app's transport: adds a bearer token to every request, keeping the other headers. */
function authenticating(fetch: FetchFunction, token: () => string): FetchFunction {
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : {}));
    headers.set('authorization', `Bearer ${token()}`);
    return fetch(input, { ...init, headers });
  };
}

/** `init` without the abort signal pollwise adds. */
function withoutSignal(init: RequestInit | undefined): Record<string, unknown> {
  const { signal: _signal, ...rest } = init ?? {};
  return rest;
}

describe('a wrapped fetch passes credentials and headers through untouched', () => {
  it('string input with every init member: the same values, the same headers object', async () => {
    const { poller, net } = fakePoller({});
    const headers = {
      Authorization: BEARER,
      Cookie: 'session=abc; theme=dark',
      'X-Custom': 'Value With Spaces',
      'X-Empty': '',
    };
    const init: RequestInit = {
      method: 'PATCH',
      headers,
      body: '{"a":1}',
      credentials: 'include',
      mode: 'cors',
      cache: 'no-store',
      redirect: 'manual',
      referrer: 'http://a.test/page',
      referrerPolicy: 'no-referrer',
      integrity: 'sha256-abc',
      keepalive: true,
    };
    await poller.wrapFetch()(`${A}/x?q=1`, init);
    const [call] = net.calls;
    expect(call?.input).toBe(`${A}/x?q=1`);
    expect(withoutSignal(call?.init)).toEqual(init);
    expect(call?.init?.headers).toBe(headers); // not copied, not rebuilt
    expect(Object.keys(call?.init ?? {}).sort()).toEqual([...Object.keys(init), 'signal'].sort());
    expect(headers).toEqual({
      Authorization: BEARER,
      Cookie: 'session=abc; theme=dark',
      'X-Custom': 'Value With Spaces',
      'X-Empty': '',
    });
  });

  it('a Headers instance and header tuples are passed as they are', async () => {
    const { poller, net } = fakePoller({});
    const headers = new Headers({ authorization: BEARER, 'x-trace': '1' });
    const tuples: [string, string][] = [['Authorization', BEARER]];
    await poller.wrapFetch()(`${A}/h`, { headers, credentials: 'same-origin' });
    await poller.wrapFetch()(`${A}/t`, { headers: tuples, credentials: 'omit' });
    expect(net.calls[0]?.init?.headers).toBe(headers);
    expect([...headers]).toEqual([
      ['authorization', BEARER],
      ['x-trace', '1'],
    ]);
    expect(net.calls[0]?.init?.credentials).toBe('same-origin');
    expect(net.calls[1]?.init?.headers).toBe(tuples);
    expect(net.calls[1]?.init?.credentials).toBe('omit');
  });

  it('a Request object is passed itself: its headers, credentials and body untouched', async () => {
    const { poller, net } = fakePoller({});
    const request = new Request(`${A}/req`, {
      method: 'POST',
      headers: { Authorization: BEARER, Cookie: 'a=b', 'X-Custom': 'yes' },
      credentials: 'include',
      body: 'payload',
    });
    await poller.wrapFetch()(request);
    const [call] = net.calls;
    expect(call?.input).toBe(request);
    expect(withoutSignal(call?.init)).toEqual({});
    const sent = asRequest(call as FakeCall);
    expect(sent.headers.get('authorization')).toBe(BEARER);
    expect(sent.headers.get('cookie')).toBe('a=b');
    expect(sent.headers.get('x-custom')).toBe('yes');
    expect(sent.credentials).toBe('include');
    expect(sent.method).toBe('POST');
    expect(await sent.text()).toBe('payload');
  });

  it('a URL object is passed itself', async () => {
    const { poller, net } = fakePoller({});
    const url = new URL(`${A}/u`);
    await poller.wrapFetch()(url, { headers: { Authorization: BEARER } });
    expect(net.calls[0]?.input).toBe(url);
    expect(net.calls[0]?.headers.get('authorization')).toBe(BEARER);
  });

  it('wrapFetch(custom) and ctx.fetch pass them through the same way', async () => {
    const net = fakeNetwork();
    const own = fakeNetwork();
    const poller = track(createPoller({ ...EXACT_TIMING, fetch: net.fetch }));
    const headers = { Authorization: BEARER };
    await poller.wrapFetch(own.fetch)(`${A}/own`, { headers, credentials: 'include' });
    expect(own.calls[0]?.init?.headers).toBe(headers);
    expect(own.calls[0]?.init?.credentials).toBe('include');
    poller.poll((ctx) => ctx.fetch(`${A}/ctx`, { headers, credentials: 'include' }), {
      origin: A,
    });
    await advance(0);
    expect(net.calls[0]?.init?.headers).toBe(headers);
    expect(net.calls[0]?.init?.credentials).toBe('include');
    expect(net.calls).toHaveLength(1);
  });

  it('ctx.http and poll(url, { headers, credentials }) send the caller headers once, unchanged', async () => {
    const { poller, net } = fakePoller({});
    poller.poll(
      (ctx) =>
        ctx.http(`${A}/http`, {
          headers: { Authorization: BEARER, 'X-Custom': 'k' },
          credentials: 'include',
        }),
      { origin: A, interval: 60_000 },
    );
    poller.poll(`${A}/static`, {
      headers: { Authorization: BEARER, 'X-Custom': 's' },
      credentials: 'include',
      interval: 60_000,
    });
    let token = 0;
    poller.poll(`${A}/fresh`, {
      // Called before every request: each one carries the token of its time.
      headers: async () => ({ Authorization: `Bearer fresh-${++token}` }),
      interval: 1000,
    });
    await advance(1000);
    expect(net.calls.map((c) => new URL(c.url).pathname)).toEqual([
      '/http',
      '/static',
      '/fresh',
      '/fresh',
    ]);
    const [http, fixed, fresh1, fresh2] = net.calls as [FakeCall, FakeCall, FakeCall, FakeCall];
    for (const [call, custom] of [
      [http, 'k'],
      [fixed, 's'],
    ] as const) {
      expect(call.headers.get('authorization')).toBe(BEARER); // one value, not "a, a"
      expect(call.headers.get('x-custom')).toBe(custom);
      expect(sentCredentials(call)).toBe('include');
    }
    expect(fresh1.headers.get('authorization')).toBe('Bearer fresh-1');
    expect(fresh2.headers.get('authorization')).toBe('Bearer fresh-2');
    expect(sentCredentials(fresh1)).toBe('same-origin'); // nothing forced on
  });

  it('pollwise never adds an Authorization header: polls, ctx.http, wrapFetch, resources', async () => {
    const { poller, net } = fakePoller({}, (call) =>
      call.url.includes('/batch')
        ? Response.json([{ id: 'k1' }, { id: 'k2' }])
        : Response.json({ id: 'x' }),
    );
    poller.poll(`${A}/poll`, { interval: 1000 });
    poller.poll((ctx) => ctx.http(`${A}/task`), { origin: A, interval: 1000 });
    poller.poll((ctx) => ctx.fetch(`${A}/fetch`), { origin: A, interval: 1000 });
    const items = createResource<string>(poller, {
      item: { url: (k) => `${A}/items/${k}` },
      batch: {
        url: `${A}/batch`,
        body: (keys) => ({ keys }),
        key: (e) => (e as { id: string }).id,
      },
      interval: 1000,
    });
    items.subscribe('k1', () => {});
    items.subscribe('k2', () => {});
    await poller.wrapFetch()(`${A}/wrapped`);
    await advance(2000);
    expect(net.calls.length).toBeGreaterThanOrEqual(10);
    const paths = new Set(net.calls.map((c) => new URL(c.url).pathname));
    expect([...paths].sort()).toEqual(['/batch', '/fetch', '/poll', '/task', '/wrapped']);
    for (const call of net.calls) {
      expect(call.headers.has('authorization')).toBe(false);
      expect(call.headers.has('cookie')).toBe(false);
      expect(sentCredentials(call)).toBe('same-origin'); // fetch's default: nothing forced on
    }
  });
});

/**
 * Everything observable, serialised the way a logger or error reporter would: errors with
 * their message, stack, cause and own fields; Headers, Request and Response with their headers.
 */
function serialise(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'function' || (typeof AbortSignal !== 'undefined' && v instanceof AbortSignal))
      return undefined;
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return '[seen]';
    seen.add(v);
    if (v instanceof Headers) return [...v];
    if (v instanceof Request) return { url: v.url, method: v.method, headers: [...v.headers] };
    if (v instanceof Response) return { url: v.url, status: v.status, headers: [...v.headers] };
    if (v instanceof Error) {
      return { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause };
    }
    return v;
  });
}

describe('pollwise never logs, emits or caches an Authorization value', () => {
  it('a whole run with an authenticating transport: no event, stat, inspection or error holds the token', async () => {
    /** The wire: what each origin answers. */
    const wire = fakeNetwork((call) => {
      const { origin, pathname } = new URL(call.url);
      if (origin === 'http://fail.test') return status(500);
      if (origin === 'http://limited.test') return status(429, { 'retry-after': '5' });
      if (origin === 'http://down.test') return new TypeError('fetch failed');
      if (pathname === '/batch') return Response.json([{ id: 'k1', v: 1 }]); // k2 missing
      if (pathname === '/bad-json') return new Response('<html>', { status: 200 });
      return Response.json({ ok: 1 }, { headers: { etag: '"v1"' } });
    });
    const poller = track(
      createPoller({ ...EXACT_TIMING, fetch: authenticating(wire.fetch, () => TOKEN) }),
    );

    const events: unknown[] = [];
    const types: (keyof PollerEvents)[] = [
      'request',
      'response',
      'cooldown',
      'data',
      'error',
      'skip',
      'batch',
      'fallback',
      'breaker:open',
      'breaker:half-open',
      'breaker:close',
    ];
    for (const type of types) poller.on(type, (event) => events.push({ type, event }));
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);

    for (const origin of ['http://ok.test', 'http://fail.test', 'http://limited.test']) {
      poller.poll(`${origin}/poll`, { interval: 1000, onError });
    }
    poller.poll(`http://down.test/poll`, { interval: 1000, onError });
    poller.poll((ctx) => ctx.http('http://ok.test/bad-json'), {
      origin: 'http://ok.test',
      interval: 1000,
      onError,
    });
    // The caller's own token on a ctx.http call that fails with a 500.
    poller.poll((ctx) => ctx.http('http://fail.test/k', { headers: { Authorization: BEARER } }), {
      origin: 'http://fail.test',
      interval: 1000,
      onError,
    });
    const items = createResource<string>(poller, {
      item: { url: (k) => `http://ok.test/items/${k}` },
      batch: {
        url: 'http://ok.test/batch',
        body: (keys) => ({ keys }),
        key: (e) => (e as { id: string }).id,
      },
      interval: 1000,
    });
    const broken = createResource<string>(poller, {
      item: { url: (k) => `http://ok.test/bad-json?k=${k}` },
      interval: 1000,
    });
    const snapshots: { error?: unknown }[] = [];
    for (const key of ['k1', 'k2']) items.subscribe(key, (s) => snapshots.push(s));
    broken.subscribe('b1', (s) => snapshots.push(s));
    await advance(8000);
    // The caller's own token in wrapped calls, refused or failed.
    const wrapped = poller.wrapFetch();
    const init = { headers: { Authorization: BEARER } };
    for (const url of ['http://fail.test/w', 'http://limited.test/w', 'http://down.test/w']) {
      errors.push(await rejectionOf(wrapped(url, init)));
    }
    const missing = rejectionOf(items.fetch('k2'));
    await advance(0);
    errors.push(await missing);
    poller.dispose();
    errors.push(await rejectionOf(wrapped('http://ok.test/after', init)));

    // The token really was on the wire (so there was something to leak) ...
    expect(wire.calls.length).toBeGreaterThan(20);
    expect(wire.calls.every((c) => c.headers.get('authorization') === BEARER)).toBe(true);
    expect(serialise(wire.calls.map((c) => c.headers))).toContain(TOKEN);
    // ... and the run produced every kind of outcome.
    const seenTypes = new Set(events.map((e) => (e as { type: string }).type));
    for (const type of ['request', 'response', 'cooldown', 'data', 'error', 'skip', 'batch']) {
      expect(seenTypes).toContain(type);
    }
    expect(seenTypes).toContain('breaker:open');
    const names = new Set(
      [...errors, ...snapshots.map((snapshot) => snapshot.error)].map((e) => (e as Error)?.name),
    );
    for (const name of [
      'HttpError',
      'TypeError', // the fetch's own network error, as it is
      'BreakerOpenError',
      'CooldownError',
      'MissingItemError',
      'UnexpectedResponseError',
      'PollerDisposedError',
    ]) {
      expect(names).toContain(name);
    }

    const observable = {
      events,
      stats: poller.stats(),
      inspect: poller.inspect(),
      errors,
      messages: errors.map((e) => String((e as Error).message)),
      snapshots,
      item: [items.get('k1'), items.get('k2')],
    };
    expect(serialise(observable)).not.toContain(TOKEN);
  });

  it("a task's own error is forwarded as it is: pollwise neither copies nor redacts it", async () => {
    // The caller set the header on their own request and their error carries that Request.
    // pollwise hands that very object to onError and the 'error' event, and adds nothing to it.
    const { poller } = fakePoller({}, () => status(500));
    const seen: unknown[] = [];
    const events: PollerEvents['error'][] = [];
    poller.on('error', (event) => events.push(event));
    poller.poll(
      async (ctx) => {
        const request = new Request(`${A}/mine`, { headers: { Authorization: BEARER } });
        const response = await ctx.fetch(request);
        throw Object.assign(new Error(`mine failed: ${response.status}`), { request });
      },
      { origin: A, onError: (e) => seen.push(e) },
    );
    await advance(0);
    expect(seen).toHaveLength(1);
    const [error] = seen as [Error & { request: Request }];
    expect(error.message).toBe('mine failed: 500');
    expect(events).toEqual([{ key: undefined, origin: A, error, source: 'poll' }]);
    expect(events[0]?.error).toBe(error);
    expect(error.request.headers.get('authorization')).toBe(BEARER);
  });

  it("ctx.http's HttpError holds the response, never the caller's request headers", async () => {
    const { poller, net } = fakePoller({}, () => status(500, { 'x-reply': 'r' }));
    const seen: unknown[] = [];
    poller.poll((ctx) => ctx.http(`${A}/mine`, { headers: { Authorization: BEARER } }), {
      origin: A,
      onError: (e) => seen.push(e),
    });
    await advance(0);
    expect(net.calls[0]?.headers.get('authorization')).toBe(BEARER);
    const [error] = seen as [HttpError];
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 500, url: `${A}/mine` });
    expect(error.headers.get('x-reply')).toBe('r');
    expect(serialise(error)).not.toContain(TOKEN);
  });
});

describe('the resource ETag cache is keyed by URL only', () => {
  it('documents: requests with different Authorization to one item URL revalidate the same ETag', async () => {
    let user = 'alice';
    const net = fakeNetwork((call) => {
      const headers = call.headers;
      if (headers.get('if-none-match') === '"v1"') return new Response(null, { status: 304 });
      return Response.json({ owner: headers.get('authorization') }, { headers: { etag: '"v1"' } });
    });
    const poller = track(
      createPoller({ ...EXACT_TIMING, fetch: authenticating(net.fetch, () => `${user}-token`) }),
    );
    const profile = createResource<string>(poller, {
      item: { url: () => `${A}/me` },
      interval: 60_000,
    });
    const data: unknown[] = [];
    profile.subscribe('me', (s) => data.push(s.data));
    await advance(0);
    expect(data).toEqual([{ owner: 'Bearer alice-token' }]);
    expect(poller.inspect().resources).toMatchObject({ items: 1, etags: 1 });

    user = 'bob'; // the app switched users but kept the poller
    profile.refresh('me');
    await advance(0);
    expect(net.calls).toHaveLength(2);
    const second = (net.calls[1] as FakeCall).headers;
    expect(second.get('authorization')).toBe('Bearer bob-token');
    // Bob's request revalidates the ETag Alice's response set ...
    expect(second.get('if-none-match')).toBe('"v1"');
    // ... and a server that answers 304 on the ETag alone leaves Alice's data in Bob's view.
    expect(poller.stats().notModified).toBe(1);
    expect(profile.get('me').data).toEqual({ owner: 'Bearer alice-token' });
    expect(poller.inspect().resources).toMatchObject({ items: 1, etags: 1 });
    // The cache itself holds URLs and ETags, never the credential.
    expect(serialise(poller.inspect())).not.toContain('token');
  });
});

import { describe, expect, it } from 'vitest';
import { BreakerOpenError, CooldownError, type PollerEvents } from '../../src/index.js';
import { advance, T0, useFakeClock } from '../support/clock.js';
import { status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf } from '../support/promises.js';

useFakeClock();

/**
 * Pairs of origins that look alike but are different origins (scheme, host, port): whatever A
 * answers must never start a cooldown or open a breaker for B.
 */
const DISTINCT: [string, string][] = [
  ['http://localhost:8080', 'http://localhost:8081'],
  ['http://localhost:3000', 'http://localhost'],
  ['http://a.test', 'https://a.test'],
  ['https://a.test', 'http://a.test'],
  ['http://a.test:443', 'https://a.test'],
  ['http://localhost', 'http://localhost.'],
  ['http://localhost.', 'http://localhost'],
  ['http://127.0.0.1', 'http://localhost'],
  ['http://localhost', 'http://127.0.0.1'],
  ['http://[::1]', 'http://127.0.0.1'],
  ['http://[::1]', 'http://localhost'],
  ['http://a.test', 'http://sub.a.test'],
  ['http://sub.a.test', 'http://a.test'],
];

/** Different spellings of the same origin: here a 429 must apply to both. */
const SAME: [string, string][] = [
  ['http://a.test', 'http://a.test:80'],
  ['http://a.test', 'HTTP://A.TEST'],
  ['https://a.test:443', 'https://a.test'],
  ['http://localhost:3000', 'http://LOCALHOST:03000'],
  ['http://[::1]', 'http://[0:0:0:0:0:0:0:1]'],
  ['http://127.0.0.1', 'http://127.1'],
  ['http://127.0.0.1', 'http://2130706433'],
];

/** A poller whose network answers `bad` (any origin listed in `failing`) and 200 elsewhere. */
function setup(failing: string, bad: () => Response) {
  const origin = new URL(failing).origin;
  const { poller, net } = fakePoller({}, (call) =>
    call.origin === origin ? bad() : Response.json({ ok: 1 }),
  );
  const events: { type: keyof PollerEvents; event: { origin: string } }[] = [];
  for (const type of ['cooldown', 'breaker:open', 'breaker:half-open', 'breaker:close'] as const) {
    poller.on(type, (event) => events.push({ type, event }));
  }
  return { poller, net, events };
}

describe('a response from origin A never affects origin B', () => {
  it.each(DISTINCT)('a 429 from %s never cools %s down', async (a, b) => {
    const { poller, net, events } = setup(a, () => status(429, { 'retry-after': '60' }));
    const wrapped = poller.wrapFetch();
    expect((await wrapped(`${a}/x`)).status).toBe(429);
    expect(poller.cooldownUntil(`${a}/`)).toBe(T0 + 60_000);
    expect(await rejectionOf(wrapped(`${a}/again`))).toBeInstanceOf(CooldownError);

    expect(poller.cooldownUntil(`${b}/`)).toBe(0);
    expect((await wrapped(`${b}/y`)).status).toBe(200);
    // And through the door's other path: a task's ctx.http reads its JSON.
    const data: unknown[] = [];
    const task = poller.poll((ctx) => ctx.http(`${b}/z`), {
      url: `${b}/z`,
      onData: (d) => data.push(d),
    });
    await advance(0);
    task.unsubscribe();
    expect(data).toEqual([{ ok: 1 }]);
    expect(net.count(new URL(b).origin)).toBe(2);
    expect(events.map((e) => [e.type, e.event.origin])).toEqual([['cooldown', new URL(a).origin]]);
    expect(poller.inspect().cooldownOrigins).toBe(1);
  });

  it.each(DISTINCT)('5xx from %s never open the breaker of %s', async (a, b) => {
    const { poller, net, events } = setup(a, () => status(500));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 5; i++) await wrapped(`${a}/x`);
    expect(await rejectionOf(wrapped(`${a}/again`))).toBeInstanceOf(BreakerOpenError);

    for (let i = 0; i < 5; i++) expect((await wrapped(`${b}/y`)).status).toBe(200);
    expect(net.count(new URL(b).origin)).toBe(5);
    expect(events.map((e) => [e.type, e.event.origin])).toEqual([
      ['breaker:open', new URL(a).origin],
    ]);
  });

  it.each(SAME)('control: %s and %s are one origin, so one 429 cools both', async (a, b) => {
    const { poller, net } = setup(a, () => status(429, { 'retry-after': '60' }));
    await poller.wrapFetch()(`${a}/x`);
    expect(poller.cooldownUntil(`${b}/`)).toBe(T0 + 60_000);
    expect(await rejectionOf(poller.wrapFetch()(`${b}/y`))).toBeInstanceOf(CooldownError);
    expect(net.calls).toHaveLength(1);
  });

  it('userinfo never decides the origin: a 429 from http://b.test@a.test cools a.test only', async () => {
    const { poller } = setup('http://a.test', () => status(429, { 'retry-after': '60' }));
    await poller.wrapFetch()('http://b.test@a.test/x');
    expect(poller.cooldownUntil('http://a.test/')).toBe(T0 + 60_000);
    expect(poller.cooldownUntil('http://b.test/')).toBe(0);
  });

  it('headers naming another origin (Location, Content-Location, Link) are ignored', async () => {
    const { poller, events } = setup('http://a.test', () =>
      status(503, {
        'retry-after': '60',
        location: 'http://b.test/',
        'content-location': 'http://b.test/x',
        link: '<http://b.test/>; rel="canonical"',
        'access-control-allow-origin': 'http://b.test',
      }),
    );
    await poller.wrapFetch()('http://a.test/x');
    expect(poller.cooldownUntil('http://b.test/')).toBe(0);
    expect(events.map((e) => e.event.origin)).toEqual(['http://a.test']);
  });

  /** What fetch resolves with after following a redirect from a.test to b.test/landing. */
  const redirectedTo = (url: string, response: Response) => {
    // A real Response's `url` and `redirected` are read-only getters; own properties shadow them.
    Object.defineProperty(response, 'url', { value: url });
    Object.defineProperty(response, 'redirected', { value: true });
    return response;
  };

  it('the origin that answered owns the outcome: a redirect target answering 429 cools the target, not the origin asked', async () => {
    const { poller, net } = fakePoller({}, (call) =>
      call.origin === 'http://a.test'
        ? redirectedTo('http://b.test/landing', status(429, { 'retry-after': '60' }))
        : Response.json({ ok: 1 }),
    );
    const cooled: string[] = [];
    poller.on('cooldown', (e) => cooled.push(e.origin));
    expect((await poller.wrapFetch()('http://a.test/moved')).status).toBe(429);
    expect(cooled).toEqual(['http://b.test']);
    expect(poller.cooldownUntil('http://b.test/')).toBe(T0 + 60_000);
    expect(poller.cooldownUntil('http://a.test/')).toBe(0);
    // b.test is refused without network; healthy a.test is not.
    expect(await rejectionOf(poller.wrapFetch()('http://b.test/direct'))).toBeInstanceOf(
      CooldownError,
    );
    expect(net.calls.map((c) => c.url)).toEqual(['http://a.test/moved']);
  });

  it('the origin that answered owns the outcome: 5xx after a redirect open the target breaker, not the origin asked', async () => {
    const { poller } = fakePoller({}, (call) =>
      call.url === 'http://a.test/moved'
        ? redirectedTo('http://b.test/landing', status(500))
        : Response.json({ ok: 1 }),
    );
    const opened: string[] = [];
    poller.on('breaker:open', (e) => opened.push(e.origin));
    const wrapped = poller.wrapFetch();
    for (let i = 0; i < 5; i++) expect((await wrapped('http://a.test/moved')).status).toBe(500);
    expect(opened).toEqual(['http://b.test']);
    expect(await rejectionOf(wrapped('http://b.test/direct'))).toBeInstanceOf(BreakerOpenError);
    expect((await wrapped('http://a.test/other')).status).toBe(200);
    expect(poller.stats()).toMatchObject({ breakerOpened: 1, refused: 1 });
  });

  it('the origin that answered owns the outcome for URL polls too (429 after a redirect)', async () => {
    const { poller, net } = fakePoller({}, (call) =>
      call.origin === 'http://a.test'
        ? redirectedTo('http://b.test/landing', status(429, { 'retry-after': '60' }))
        : Response.json({ ok: 1 }),
    );
    const errors: unknown[] = [];
    poller.poll('http://a.test/moved', { interval: 1000, onError: (e) => errors.push(e) });
    await advance(3500);
    // a.test never cools down: its poll keeps its interval; b.test is the one cooling.
    expect(net.calls.map((c) => c.at)).toEqual([0, 1000, 2000, 3000]);
    expect(errors).toHaveLength(4);
    expect(poller.cooldownUntil('http://a.test/')).toBe(0);
    expect(poller.cooldownUntil('http://b.test/')).toBe(T0 + 3000 + 60_000);
  });

  it('Request and URL inputs are keyed by their own origin', async () => {
    const { poller, net } = setup('https://a.test:8443', () => status(429, { 'retry-after': '9' }));
    const wrapped = poller.wrapFetch();
    await wrapped(new Request('https://a.test:8443/req', { method: 'POST', body: 'x' }));
    expect(poller.cooldownUntil('https://a.test:8443/')).toBe(T0 + 9000);
    expect(await rejectionOf(wrapped(new URL('https://a.test:8443/url')))).toBeInstanceOf(
      CooldownError,
    );
    expect((await wrapped(new URL('https://a.test/other-port'))).status).toBe(200);
    expect((await wrapped(new Request('http://a.test:8443/other-scheme'))).status).toBe(200);
    expect(net.calls.map((c) => c.url)).toEqual([
      'https://a.test:8443/req',
      'https://a.test/other-port',
      'http://a.test:8443/other-scheme',
    ]);
  });

  it('a relative input resolves once: the origin checked is the origin the request goes to', async () => {
    const { poller, net } = fakePoller({ baseUrl: 'http://a.test/app/' }, () =>
      status(429, { 'retry-after': '60' }),
    );
    const wrapped = poller.wrapFetch();
    // Scheme-relative and backslash forms leave the base origin: they must be gated as b.test.
    await wrapped('//b.test/x');
    expect(net.calls.map((c) => c.input)).toEqual(['http://b.test/x']);
    expect(poller.cooldownUntil('http://b.test/')).toBe(T0 + 60_000);
    expect(poller.cooldownUntil('http://a.test/')).toBe(0);
    expect(await rejectionOf(wrapped('\\\\b.test\\y'))).toBeInstanceOf(CooldownError);
    await wrapped('items/1');
    expect(net.calls.map((c) => c.input)).toEqual(['http://b.test/x', 'http://a.test/app/items/1']);
  });

  it('polls: a 429 storm and a 5xx storm on A leave the polls of B running', async () => {
    let served = 0;
    const { poller, net } = fakePoller({}, (call) => {
      if (call.origin === 'http://a.test') return status(429, { 'retry-after': '60' });
      if (call.origin === 'http://localhost:8080') return status(500);
      // New data every time, so onData (called on changes only) hears every response.
      return Response.json({ ok: 1, served: ++served });
    });
    const data: string[] = [];
    const skipped = new Set<string>();
    poller.on('skip', (event) => skipped.add(event.origin));
    poller.poll('http://a.test/x', { interval: 1000 });
    poller.poll('http://localhost:8080/x', { interval: 1000 });
    for (const b of ['https://a.test', 'http://a.test:8080', 'http://localhost:8081']) {
      poller.poll(`${b}/y`, { interval: 1000, onData: () => data.push(b) });
    }
    // (10.5 s: the exact tick times of other origins are covered in test/breaker.)
    await advance(10_500);
    expect(net.count('http://a.test')).toBe(1);
    expect(net.count('http://localhost:8080')).toBe(5);
    for (const b of ['https://a.test', 'http://a.test:8080', 'http://localhost:8081']) {
      expect(net.count(b)).toBe(11);
      expect(data.filter((d) => d === b)).toHaveLength(11);
    }
    // Only the failing origins ever skip a tick.
    expect(skipped).toContain('http://a.test');
    expect([...skipped].every((o) => o === 'http://a.test' || o === 'http://localhost:8080')).toBe(
      true,
    );
  });
});

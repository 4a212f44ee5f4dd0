// Issue 8, item 13's class through other inputs (adversarial findings F6, F12, F13, F16, F16b,
// F17, F18 in test/adversarial/FINDINGS.md): whatever a caller or a transport hands the door, a
// promise-returning call rejects (never throws), counts nothing it did not send, and leaves
// nothing in flight; a poll whose work never settles is ended by the deadline.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, isPollwiseError, PollerDisposedError } from '../../src/index.js';
import { createKy } from '../../src/ky/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf, thrownBy } from '../support/promises.js';

useFakeClock();

const A = 'http://a.test';

/** Calls `call`, failing the test if it throws synchronously; returns what it rejected with. */
function rejectedBy(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown> | undefined;
  expect(() => {
    promise = call();
  }, 'a synchronous throw').not.toThrow();
  return rejectionOf(promise as Promise<unknown>);
}

describe('a wrapped fetch', () => {
  it.each([
    ['5', 5],
    ['{}', {}],
  ])(
    'with init.signal %s (not an AbortSignal) rejects, counts nothing (F16)',
    async (_n, signal) => {
      const { poller, net } = fakePoller();
      const error = await rejectedBy(() =>
        poller.wrapFetch()(`${A}/x`, { signal: signal as never }),
      );
      expect(error).toBeInstanceOf(TypeError);
      expect(net.count()).toBe(0);
      expect(poller.stats()).toMatchObject({ sent: 0 });
      expect(poller.inspect()).toMatchObject({ requestsInFlight: 0, breakerOrigins: 0 });
    },
  );

  it('over a transport that returns a Response, not a promise, resolves it (F17)', async () => {
    const { poller } = fakePoller();
    const wrapped = poller.wrapFetch((() => Response.json({ ok: 1 })) as never);
    const response = await wrapped(`${A}/x`);
    expect(await response.json()).toEqual({ ok: 1 });
    expect(poller.stats()).toMatchObject({ sent: 1, responses: 1 });
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('over a transport that throws synchronously rejects with its error (counted: it was sent)', async () => {
    const { poller } = fakePoller();
    const boom = new TypeError('boom');
    const wrapped = poller.wrapFetch(() => {
      throw boom;
    });
    expect(await rejectedBy(() => wrapped(`${A}/x`))).toBe(boom);
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('disposed by a `request` handler is not sent: it rejects with PollerDisposedError (F18)', async () => {
    const { poller, net } = fakePoller();
    poller.on('request', () => poller.dispose());
    const error = await rejectedBy(() => poller.wrapFetch()(`${A}/x`));
    expect(error).toBeInstanceOf(PollerDisposedError);
    expect(net.count()).toBe(0);
    expect(poller.inspect().requestsInFlight).toBe(0);
  });
});

describe('a task', () => {
  it('ctx.fetch with init.signal 5 rejects, never throws (F16b)', async () => {
    const { poller, net } = fakePoller();
    const outcomes: unknown[] = [];
    poller.poll(
      (ctx) => {
        try {
          return ctx.fetch(`${A}/x`, { signal: 5 as never }).then(
            () => 'resolved',
            (error: unknown) => outcomes.push(error),
          );
        } catch {
          outcomes.push('threw');
          return 0;
        }
      },
      { url: A },
    );
    await advance(0);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toBeInstanceOf(TypeError);
    expect(net.count()).toBe(0);
  });
});

describe('a URL poll', () => {
  it.each([
    ['undefined', undefined],
    ['{}', {}],
    ['a string', 'x'],
  ])('whose fetch resolves %s (no Response) fails with a typed error (F12)', async (_n, answer) => {
    const { poller } = fakePoller({ fetch: async () => answer as never });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { onError: (e) => errors.push(e) });
    await advance(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ name: 'UnexpectedResponseError', url: `${A}/x` });
    expect(isPollwiseError(errors[0])).toBe(true);
    expect(poller.inspect().requestsInFlight).toBe(0);
  });

  it('whose async schema never settles fails at the deadline and polls again (F13)', async () => {
    const never = {
      '~standard': { version: 1, vendor: 'x', validate: () => new Promise<never>(() => {}) },
    } as const;
    const { poller, net } = fakePoller({ timeout: 1000 });
    const errors: unknown[] = [];
    poller.poll(`${A}/x`, { interval: 2000, schema: never, onError: (e) => errors.push(e) });
    await advance(999);
    expect(errors).toEqual([]);
    await advance(1);
    expect(errors).toMatchObject([{ name: 'TimeoutError', url: `${A}/x`, timeoutMs: 1000 }]);
    await advance(4000);
    expect(net.times()).toEqual([0, 2000, 4000]);
    expect(errors).toHaveLength(3);
    expect(poller.stats().skipped['in-flight']).toBe(0);
  });
});

describe('createKy', () => {
  it('createKy(poller, null) takes null as no options (F6)', () => {
    const { poller } = fakePoller();
    expect(typeof createKy(poller, null as never).get).toBe('function');
    const error = thrownBy(() => createKy(poller, { prefix: 'x' } as never));
    expect(error).toBeInstanceOf(InvalidOptionsError);
  });
});

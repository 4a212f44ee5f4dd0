// Defects an outside review of the issue 7 request path found, each proven by the test below
// failing before its fix (door.ts: no admission after abort or timeout, forwarded aborts instead
// of AbortSignal.any; url-request.ts: an ETag only for an accepted body; poll.ts: a signal per
// task run; poll-query.ts: no callback for a subscriber removed mid-settle, one key one request;
// option-checks.ts: header names checked in poll()).
import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { InvalidOptionsError, isTimeoutError, type Subscription } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { type FakeCall, status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { rejectionOf, thrownBy } from '../support/promises.js';

useFakeClock();
const A = 'http://a.test';

/** A Standard Schema: `{ v: number }`. */
const numberV = {
  '~standard': {
    version: 1 as const,
    vendor: 'review',
    validate: (value: unknown) =>
      typeof (value as { v?: unknown } | null)?.v === 'number'
        ? { value: value as { v: number } }
        : { issues: [{ message: 'v must be a number' }] },
  },
};

/** A server with a versioned document: 304 when If-None-Match names the current ETag. */
function versioned(bodyOf: (version: number) => Response) {
  const state = { version: 1 };
  const respond = (call: FakeCall) => {
    const etag = `"${state.version}"`;
    if (call.headers.get('if-none-match') === etag) {
      return new Response(null, { status: 304, headers: { etag } });
    }
    const response = bodyOf(state.version);
    response.headers.set('etag', etag);
    return response;
  };
  return { state, respond };
}

describe('ETag state of a URL poll (src/query/url-request.ts)', () => {
  // WAS A DEFECT: url-request.ts sets `state.etag` from a 2xx's headers BEFORE its body is read and
  // validated. When the body then fails (invalid JSON, schema, a body timeout), the poll keeps
  // its old data but revalidates with the NEW ETag: the server answers 304 and the old data comes
  // back as `success`, for as long as the server's version does not change. (Resources get this
  // right: key-reader.ts forgets the ETag when the schema fails.)
  it('an ETag whose body was not accepted never stands for the data held (invalid JSON)', async () => {
    const server = versioned((version) =>
      version === 1 ? Response.json({ v: 1 }) : new Response('{not json'),
    );
    const { poller, net } = fakePoller({}, server.respond);
    const sub = poller.poll(`${A}/doc`, { interval: 1000 });
    await advance(0);
    expect(sub.getSnapshot()).toMatchObject({ status: 'success', data: { v: 1 } });
    server.state.version = 2; // a new version whose body is broken
    await advance(1000);
    expect(sub.getSnapshot().status).toBe('error');
    await advance(1000);
    // Today: ['"1"', '"2"'] and the snapshot is back to success with { v: 1 }.
    expect(net.calls.slice(1).map((c) => c.headers.get('if-none-match'))).toEqual(['"1"', '"1"']);
    expect(sub.getSnapshot().status).toBe('error');
  });

  it('an ETag whose body failed the schema never stands for the data held', async () => {
    const server = versioned((version) => Response.json(version === 1 ? { v: 1 } : { v: 'two' }));
    const { poller } = fakePoller({}, server.respond);
    const sub = poller.poll(`${A}/doc`, { interval: 1000, schema: numberV });
    await advance(0);
    server.state.version = 2; // the server's data no longer passes the schema
    await advance(1000);
    expect(sub.getSnapshot().status).toBe('error');
    await advance(5000);
    // Today: the 304 to `If-None-Match: "2"` turns the snapshot back into success with { v: 1 },
    // data the server no longer has, and onError stops firing.
    expect(sub.getSnapshot()).toMatchObject({ status: 'error' });
  });
});

describe('admission happens once, before the send, and never after the exchange ended (src/transport/door.ts)', () => {
  // WAS A DEFECT: Door.exchange awaits `init(bound)` (the headers function) and then calls `admit()`
  // without checking `bound.aborted`. A headers function that settles after the deadline admits
  // a request the caller already saw time out: stats.sent++, a `request` event, the gate's side
  // effects (a due breaker turns half-open on it), and the transport is called with an aborted
  // signal. Its ticket is never ended. Fix: `if (bound.aborted) throw bound.reason` right after
  // `await init(bound)` (door.ts:105).
  it('a headers function that settles after the timeout: nothing is admitted, counted or sent', async () => {
    const { poller, net } = fakePoller({ timeout: 200 });
    const errors: unknown[] = [];
    const requests: unknown[] = [];
    poller.on('request', (event) => requests.push(event));
    poller.poll(`${A}/feed`, {
      interval: 60_000,
      headers: () => new Promise<HeadersInit>((resolve) => setTimeout(() => resolve({}), 300)),
      onError: (error) => errors.push(error),
    });
    await advance(200);
    expect(isTimeoutError(errors[0])).toBe(true);
    await advance(200); // the token arrives, 100 ms after the TimeoutError
    expect(requests).toEqual([]);
    expect(poller.stats().sent).toBe(0);
    expect(net.calls).toHaveLength(0);
  });

  it('...and such a late admission does not steal the half-open probe (breaker held shut for openMs)', async () => {
    let slow = false;
    const { poller, net } = fakePoller(
      { timeout: 200, breaker: { minRequests: 1, failureRatio: 1, openMs: 5000 } },
      (call) => (call.n === 1 ? status(500) : Response.json({ ok: true })),
    );
    poller.poll(`${A}/feed`, {
      interval: 1000,
      headers: () =>
        slow
          ? new Promise<HeadersInit>((resolve) =>
              setTimeout(() => {
                slow = false;
                resolve({});
              }, 300),
            )
          : {},
    });
    await advance(0); // 500: the breaker opens until 5000
    slow = true;
    await advance(8000);
    // The run at 5000 times out at 5200; its token arrives at 5300 and is admitted as the
    // half-open probe, sent on an aborted signal and never recorded: the breaker refuses every
    // run until 10300. A real probe should have gone out by ~6300.
    const real = net.calls.filter((c) => !c.aborted && c.at > 0);
    expect(real.length).toBeGreaterThan(0);
  });

  // WAS A DEFECT: a request whose caller's signal is already aborted is still admitted and counted.
  // Door.#run calls `work(bound, admit)` after forwarding the abort (door.ts:146,166), and
  // `wrap()` admits before looking at init.signal (door.ts:200). A task that calls ctx.http /
  // ctx.fetch after its poll was unsubscribed, or any wrapFetch caller with an aborted signal,
  // counts a `sent` and emits `request` for a call the transport refuses at once (and may take
  // the half-open probe, as above). Fix: reject with the signal's reason before admitting.
  it('a call whose signal is already aborted is neither admitted nor counted (wrapFetch, ctx.http)', async () => {
    const { poller } = fakePoller();
    const requests: unknown[] = [];
    poller.on('request', (event) => requests.push(event));
    const error = await rejectionOf(poller.wrapFetch()(`${A}/x`, { signal: AbortSignal.abort() }));
    expect((error as Error).name).toBe('AbortError');
    let httpError: unknown;
    poller.poll(
      async ({ http }) => {
        httpError = await rejectionOf(http(`${A}/y`, { signal: AbortSignal.abort() }));
        return 1;
      },
      { origin: A, interval: 60_000 },
    );
    await advance(0);
    expect((httpError as Error).name).toBe('AbortError');
    expect(requests).toEqual([]);
    expect(poller.stats().sent).toBe(0);
  });
});

describe('subscribers of a shared poll (src/query/poll-query.ts)', () => {
  // WAS A DEFECT: #settle iterates a copy of the subscribers and #update calls spec.onData/onError
  // without checking the subscriber is still there: a subscriber unsubscribed by an earlier
  // subscriber's callback (a component unmounting another) still gets onData/onError. Fix:
  // `if (!query.subscribers.has(subscriber)) continue;` in #settle (poll-query.ts:215).
  it('a subscriber unsubscribed by another subscriber’s onData in the same settle gets no onData', async () => {
    const { poller } = fakePoller({}, () => Response.json({ ok: true }));
    const onDataB = vi.fn();
    let b: Subscription<unknown> | undefined;
    poller.poll(`${A}/x`, { interval: 1000, onData: () => b?.unsubscribe() });
    b = poller.poll(`${A}/x`, { interval: 1000, onData: onDataB });
    await advance(0);
    expect(onDataB).not.toHaveBeenCalled();
  });
});

describe('one AbortController per scheduler entry (src/scheduler/scheduler.ts)', () => {
  /** Node's count of AbortSignal.any() signals that depend on `signal` (never shrinks on Node 20). */
  const dependants = (signal: AbortSignal): number => {
    const key = Object.getOwnPropertySymbols(signal).find(
      (s) => s.description === 'kDependantSignals',
    );
    return key === undefined
      ? 0
      : ((signal as unknown as Record<symbol, Set<unknown> | undefined>)[key]?.size ?? 0);
  };

  // WAS A DEFECT (leak): ctx.fetch passes the entry's signal to door.wrap(), which builds
  // AbortSignal.any([its controller, init.signal]) per request (door.ts:206). The entry's signal
  // now lives as long as the poll, and on Node 20 (engines: >=20.3) AbortSignal.any keeps a
  // WeakRef per dependant in a Set on the source that never shrinks: ~67 B per request for the
  // poll's life (300k requests: 20 MB, measured on 20.20.2). Per-run controllers used to die
  // with the run. Fix: forward the caller's abort with add/removeEventListener as Door.#run
  // does, instead of AbortSignal.any (also in task-context.ts:19 when init.signal is given).
  it('ctx.fetch leaves nothing behind on the long-lived task signal', async () => {
    const { poller } = fakePoller();
    let signal: AbortSignal | undefined;
    poller.poll(
      async (ctx) => {
        signal = ctx.signal;
        await ctx.fetch(`${A}/x`);
        return 1;
      },
      { origin: A, interval: 1000 },
    );
    await advance(100_000); // 101 runs
    expect(signal && dependants(signal)).toBeLessThan(5);
  });

  // WAS A DEFECT (regression of the per-entry controller): a task's `signal` is now the same object
  // for every run, so the usual per-run `signal.addEventListener('abort', cleanup)` accumulates
  // one listener per run for the poll's life (Node prints MaxListenersExceededWarning at the 11th
  // run) and `cleanup` of every past run fires on unsubscribe. Tasks are user code: give them
  // a per-run signal (a controller per run for task polls only, or one made lazily when the task
  // reads ctx.signal), keep the per-entry controller for pollwise's own URL runs.
  it('a task’s per-run abort listener does not pile up on its signal', async () => {
    const { poller } = fakePoller();
    let last: AbortSignal | undefined;
    poller.poll(
      async ({ signal }) => {
        last = signal;
        signal.addEventListener('abort', () => {}, { once: true });
        return 1;
      },
      { origin: A, interval: 1000 },
    );
    await advance(7000); // 8 runs (an 11th listener would also print MaxListenersExceededWarning)
    // Today: one signal for every run, carrying 8 listeners.
    expect(last && getEventListeners(last, 'abort').length).toBeLessThanOrEqual(1);
  });
});

describe('options errors', () => {
  // WAS A SMALL DEFECT: requestIdentity() builds `new Headers(headers)` inside poll(), so a bad header
  // name throws a raw TypeError instead of InvalidOptionsError (issue 7: every error extends
  // PollwiseError); with an explicit `key` it is not checked at all and every run fails instead.
  // Fix: check headers in option-checks.ts (try `new Headers(v)` for non-functions).
  it('an invalid header name is an InvalidOptionsError from poll()', () => {
    const { poller } = fakePoller();
    const error = thrownBy(() => poller.poll(`${A}/x`, { headers: { 'bad name': '1' } }));
    expect(error).toBeInstanceOf(InvalidOptionsError);
  });
});

describe('one key, one request (src/query/poll.ts)', () => {
  it('a poll joining a key with other headers, schema or task is refused; equal options share', () => {
    const { poller } = fakePoller();
    poller.poll(`${A}/feed?from=a`, { key: 'feed', headers: { authorization: 'Bearer a' } });
    // The same headers, another cache buster: shared.
    poller.poll(`${A}/feed?from=b`, { key: 'feed', headers: { authorization: 'Bearer a' } });
    expect(poller.inspect().sharedPolls).toBe(1);
    for (const options of [
      { key: 'feed', headers: { authorization: 'Bearer b' } },
      { key: 'feed', headers: { authorization: 'Bearer a' }, schema: numberV },
      { key: 'feed', headers: { authorization: 'Bearer a' }, credentials: 'include' as const },
    ]) {
      const error = thrownBy(() => poller.poll(`${A}/feed`, options));
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect((error as InvalidOptionsError).issues[0]?.option).toBe('poll.key');
    }
    const task = () => 1;
    poller.poll(task, { origin: A, key: 'task' });
    expect(thrownBy(() => poller.poll(() => 2, { origin: A, key: 'task' }))).toBeInstanceOf(
      InvalidOptionsError,
    );
    expect(thrownBy(() => poller.poll(`${A}/x`, { key: 'task' }))).toBeInstanceOf(
      InvalidOptionsError,
    );
    poller.poll(task, { origin: A, key: 'task' });
    expect(poller.inspect().sharedPolls).toBe(2);
  });
});

// Opt-in adaptive intervals of poll(): `stretch` lengthens the interval while the shared data
// comes back unchanged (304 or equal) and snaps back on the first change; `interval` may be a
// function of the poll's snapshot. Exact request times on the fake clock (no jitter).
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, type Snapshot } from '../../src/index.js';
import { advance, elapsed, useFakeClock } from '../support/clock.js';
import { type FakeCall, status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();
const A = 'http://a.test';

/** Runs the fake clock to `ms` since T0. */
const runTo = (ms: number) => advance(ms - elapsed());

/** A server answering `{ v: version }` (200, no ETag): equal data until the test bumps it. */
function plain() {
  const state = { version: 1 };
  return { state, respond: () => Response.json({ v: state.version }) };
}

/** The same with ETags: 304 when If-None-Match names the current version. */
function revalidating() {
  const state = { version: 1 };
  const respond = (call: FakeCall) => {
    const etag = `"v${state.version}"`;
    return call.headers.get('if-none-match') === etag
      ? new Response(null, { status: 304, headers: { etag } })
      : Response.json({ v: state.version }, { headers: { etag } });
  };
  return { state, respond };
}

describe('stretch', () => {
  it('unchanged data, factor 2, interval 1000, maxMs 8000: requests at 0, 1, 3, 7, 15, 23 s; a change snaps back', async () => {
    const server = plain();
    const { poller, net } = fakePoller({}, server.respond);
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2, maxMs: 8000 } });
    await runTo(0);
    await runTo(31_000 - 1);
    expect(net.times()).toEqual([0, 1000, 3000, 7000, 15_000, 23_000]);
    server.state.version = 2; // the answer at 31 s is new data: back to 1 s
    await runTo(31_000);
    await runTo(35_000);
    expect(net.times()).toEqual([0, 1000, 3000, 7000, 15_000, 23_000, 31_000, 32_000, 34_000]);
  });

  it('304s count as unchanged (defaults: factor 1.5, up to 60 s)', async () => {
    const server = revalidating();
    const { poller, net } = fakePoller({}, server.respond);
    const sub = poller.poll(`${A}/doc`, { interval: 1000, stretch: true });
    await runTo(0);
    await runTo(8125);
    expect(net.times()).toEqual([0, 1000, 2500, 4750, 8125]);
    expect(net.calls.slice(1).every((c) => c.headers.get('if-none-match') === '"v1"')).toBe(true);
    expect(sub.getSnapshot()).toMatchObject({ status: 'success', data: { v: 1 } });
  });

  it('stops at maxMs, and at the interval when maxMs is below it (host policy interval)', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    // a.test polls every 2000 ms by default; maxMs 1500 leaves nothing to stretch.
    poller.poll(`${A}/doc`, { stretch: { maxMs: 1500 } });
    await runTo(0);
    await runTo(8000);
    expect(net.times()).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it('a failed run neither stretches nor snaps back (backoff is 0 with random() = 0)', async () => {
    const script = ['same', 'same', 'fail', 'same', 'new', 'same'];
    let v = 1;
    const { poller, net } = fakePoller({}, ({ n }) => {
      const step = script[n - 1];
      if (step === 'fail') return status(500);
      if (step === 'new') v++;
      return Response.json({ v });
    });
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2 } });
    await runTo(0);
    await runTo(12_000);
    // 0 data → 1 s; 1 s same → 2 s; 3 s fails → still 2 s; 5 s same → 4 s; 9 s new → 1 s; 10 s same → 2 s
    expect(net.times()).toEqual([0, 1000, 3000, 5000, 9000, 10_000, 12_000]);
  });

  it("a subscriber's select does not decide: the shared data changing keeps the interval", async () => {
    let n = 0;
    const { poller, net } = fakePoller({}, () => Response.json({ same: 'x', n: ++n }));
    const seen: unknown[] = [];
    poller.poll(`${A}/doc`, {
      interval: 1000,
      stretch: { factor: 2 },
      select: (d) => (d as { same: string }).same,
      onData: (s) => seen.push(s),
    });
    await runTo(0);
    await runTo(5000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(seen).toEqual(['x']); // the subscriber saw one value, the poll saw six
  });

  it('and unchanged shared data stretches even when a select result would differ in identity', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    const seen: unknown[] = [];
    poller.poll(`${A}/doc`, {
      interval: 1000,
      stretch: { factor: 2 },
      select: (d) => ({ wrapped: d }), // a new object every call
      onData: (s) => seen.push(s),
    });
    await runTo(0);
    await runTo(7000);
    expect(net.times()).toEqual([0, 1000, 3000, 7000]);
    expect(seen).toHaveLength(1);
  });

  it('subscribers of one poll: the shortest interval wins; alone, the stretched one takes over', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2, maxMs: 8000 } });
    const plainSub = poller.poll(`${A}/doc`, { interval: 1000 });
    await runTo(0);
    await runTo(5000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    // Five unchanged answers have stretched the first subscriber to 8 s (its cap).
    plainSub.unsubscribe();
    await runTo(13_000);
    expect(net.times()).toEqual([0, 1000, 2000, 3000, 4000, 5000, 13_000]);
  });

  it('a new subscriber without stretch brings the poll back to its own interval at once', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2, maxMs: 8000 } });
    await runTo(0);
    await runTo(7000); // 0, 1, 3, 7: stretched to 8 s
    poller.poll(`${A}/doc`, { interval: 1000 });
    await runTo(9000);
    expect(net.times()).toEqual([0, 1000, 3000, 7000, 8000, 9000]);
  });

  it('task polls stretch on equal data too', async () => {
    const { poller, net } = fakePoller();
    poller.poll(async ({ http }) => http(`${A}/task`), {
      origin: A,
      interval: 1000,
      stretch: { factor: 3, maxMs: 9000 },
    });
    await runTo(0);
    await runTo(22_000);
    expect(net.times()).toEqual([0, 1000, 4000, 13_000, 22_000]);
  });
});

describe('interval as a function of the snapshot', () => {
  it('follows the data: 1 s while running, 10 s once done', async () => {
    let n = 0;
    const { poller, net } = fakePoller({}, () =>
      Response.json({ state: ++n >= 3 ? 'done' : 'running' }),
    );
    const asked: Snapshot<unknown>['status'][] = [];
    poller.poll<{ state: string }>(`${A}/job`, {
      interval: (snapshot) => {
        asked.push(snapshot.status);
        return snapshot.data?.state === 'done' ? 10_000 : 1000;
      },
    });
    await runTo(0);
    await runTo(22_000);
    expect(net.times()).toEqual([0, 1000, 2000, 12_000, 22_000]);
    // Asked when subscribing (pending), then after each of the five runs.
    expect(asked).toEqual(['pending', 'success', 'success', 'success', 'success', 'success']);
  });

  it('is given the shared snapshot, not what select makes of it, and sees failures', async () => {
    const { poller } = fakePoller({}, ({ n }) =>
      n === 2 ? status(503) : Response.json({ big: { n } }),
    );
    const seen: Snapshot<unknown>[] = [];
    poller.poll<{ big: { n: number } }, number>(`${A}/doc`, {
      interval: (snapshot) => {
        seen.push(snapshot);
        return 1000;
      },
      select: (d) => d.big.n,
    });
    await runTo(0);
    await runTo(1000);
    expect(seen.map((s) => [s.status, s.data])).toEqual([
      ['pending', undefined],
      ['success', { big: { n: 1 } }],
      ['error', { big: { n: 1 } }],
    ]);
  });

  it('a bad result or a throw keeps the previous interval and is an error event (source callback)', async () => {
    const boom = new Error('interval bug');
    const results: (number | string | Error)[] = [
      1000,
      3000,
      -1,
      Number.NaN,
      'x',
      2 ** 31,
      boom,
      2000,
    ];
    let call = 0;
    const { poller, net } = fakePoller({}, plain().respond);
    const errors: { error: unknown; source: string; key: string | undefined; origin: string }[] =
      [];
    poller.on('error', (e) => errors.push(e));
    poller.poll(`${A}/doc`, {
      interval: () => {
        const r = results[call++] ?? 2000;
        if (r instanceof Error) throw r;
        return r as number;
      },
    });
    await runTo(0); // 1000 at subscribe; 3000 after the first run
    await runTo(18_000);
    // 0 → 3 s; 3 (-1), 6 (NaN), 9 ('x'), 12 (2^31), 15 (throw) keep 3 s; 18 s → 2 s
    expect(net.times()).toEqual([0, 3000, 6000, 9000, 12_000, 15_000, 18_000]);
    await runTo(20_000);
    expect(net.times().at(-1)).toBe(20_000);
    expect(errors.map((e) => e.source)).toEqual(Array(5).fill('callback'));
    expect(errors.every((e) => e.origin === A && e.key === undefined)).toBe(true);
    const invalid = errors.slice(0, 4).map((e) => e.error as InvalidOptionsError);
    for (const error of invalid) expect(error).toBeInstanceOf(InvalidOptionsError);
    expect(invalid.map((e) => e.issues[0]?.option)).toEqual(Array(4).fill('poll.interval'));
    expect(invalid.map((e) => e.issues[0]?.value)).toEqual([-1, Number.NaN, 'x', 2 ** 31]);
    expect(errors[4]?.error).toBe(boom);
  });

  it('a throw when subscribing: the host policy interval until it answers', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    const errors: unknown[] = [];
    poller.on('error', ({ error }) => errors.push(error));
    poller.poll<{ v: number }>(`${A}/doc`, {
      key: 'doc',
      // Reads data the pending snapshot does not have yet.
      interval: (snapshot) => (snapshot.data as { v: number }).v * 5000,
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
    await runTo(0);
    await runTo(10_000); // a.test: 2000 ms by default, until the first answer says 5000
    expect(net.times()).toEqual([0, 5000, 10_000]);
  });

  it('subscribers of one poll: the shortest interval wins, whoever gives it', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    poller.poll(`${A}/doc`, { interval: () => 5000 });
    const other = poller.poll(`${A}/doc`, { interval: 2000 });
    await runTo(0);
    await runTo(4000);
    expect(net.times()).toEqual([0, 2000, 4000]);
    other.unsubscribe();
    await runTo(9000);
    expect(net.times()).toEqual([0, 2000, 4000, 9000]);
  });

  it('with stretch: the function gives the base, stretch multiplies it', async () => {
    const { poller, net } = fakePoller({}, plain().respond);
    poller.poll(`${A}/doc`, { interval: () => 500, stretch: { factor: 2, maxMs: 4000 } });
    await runTo(0);
    await runTo(11_500);
    expect(net.times()).toEqual([0, 500, 1500, 3500, 7500, 11_500]);
  });
});

describe('X-Poll-Interval with stretch', () => {
  // Needs Scheduler.retime to keep max(delay, new interval) when a floor or backoff set the
  // delay: today it keeps the floor (3 s) although the stretched interval (4 s) is longer.
  it('each wait is the longer of the floor and the stretched interval', async () => {
    const { poller, net } = fakePoller({}, () =>
      Response.json({ v: 1 }, { headers: { 'x-poll-interval': '3' } }),
    );
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2, maxMs: 8000 } });
    await runTo(0);
    await runTo(26_000);
    // 0 → 3 s (floor); 3 s → max(2, 3); 6 s → max(4, 3); 10 s → 8 s; 18 s → 8 s
    expect(net.times()).toEqual([0, 3000, 6000, 10_000, 18_000, 26_000]);
  });

  it('the floor holds for one wait, the stretched interval for the rest', async () => {
    const { poller, net } = fakePoller({}, ({ n }) =>
      Response.json({ v: 1 }, n === 1 ? { headers: { 'x-poll-interval': '3' } } : {}),
    );
    poller.poll(`${A}/doc`, { interval: 1000, stretch: { factor: 2, maxMs: 8000 } });
    await runTo(0);
    await runTo(11_000);
    // 0 → floor 3 s; 3 s unchanged → 2 s; 5 s → 4 s; 9 s → 8 s
    expect(net.times()).toEqual([0, 3000, 5000, 9000]);
  });
});

// X-Poll-Interval (GitHub's convention, seconds): the next poll of that URL waits at least that
// long, whatever the status of the answer that carried it; the interval returns when it is gone.
import { describe, expect, it } from 'vitest';
import { type HeaderReader, readPollInterval } from '../../src/pacing/rate-limit-headers.js';
import { advance, useFakeClock } from '../support/clock.js';
import { type FakeCall, status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();
const A = 'http://a.test';

/** 200 `{ n }`, with `X-Poll-Interval: header(n)` when that gives one. */
const counting =
  (header: (n: number) => string | undefined) =>
  ({ n }: FakeCall): Response => {
    const value = header(n);
    return Response.json(
      { n },
      value === undefined ? {} : { headers: { 'x-poll-interval': value } },
    );
  };

describe('X-Poll-Interval on poll(url) (fake timers)', () => {
  it('a 200 with X-Poll-Interval: 60 puts the next request at 60 s; without it, 1 s again', async () => {
    const { poller, net } = fakePoller(
      {},
      counting((n) => (n === 1 ? '60' : undefined)),
    );
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    await advance(59_999);
    expect(net.times()).toEqual([0]);
    await advance(1);
    expect(net.times()).toEqual([0, 60_000]);
    await advance(2000);
    expect(net.times()).toEqual([0, 60_000, 61_000, 62_000]);
  });

  it('a 304 carries it too (ETag revalidation, as GitHub sends it)', async () => {
    const respond = (call: FakeCall) =>
      call.headers.get('if-none-match') === '"v1"'
        ? new Response(null, { status: 304, headers: { etag: '"v1"', 'x-poll-interval': '30' } })
        : Response.json({ v: 1 }, { headers: { etag: '"v1"' } });
    const { poller, net } = fakePoller({}, respond);
    const sub = poller.poll(`${A}/doc`, { interval: 1000 });
    await advance(0);
    await advance(1000); // first revalidation: 304 + X-Poll-Interval: 30
    await advance(29_999);
    expect(net.times()).toEqual([0, 1000]);
    await advance(1);
    expect(net.times()).toEqual([0, 1000, 31_000]);
    expect(net.calls.slice(1).map((c) => c.headers.get('if-none-match'))).toEqual(['"v1"', '"v1"']);
    expect(sub.getSnapshot()).toMatchObject({ status: 'success', data: { v: 1 } });
  });

  it('an error status carries it too: the failed run waits max(interval, floor, backoff)', async () => {
    const { poller, net } = fakePoller({}, ({ n }) =>
      n === 1 ? status(404, { 'x-poll-interval': '10' }) : Response.json({ n }),
    );
    const errors: unknown[] = [];
    poller.poll(`${A}/gone`, { interval: 1000, onError: (e) => errors.push(e) });
    await advance(0);
    expect(errors).toHaveLength(1);
    await advance(9999);
    expect(net.times()).toEqual([0]);
    await advance(1);
    await advance(1000);
    expect(net.times()).toEqual([0, 10_000, 11_000]);
  });

  it('a floor shorter than the interval changes nothing', async () => {
    const { poller, net } = fakePoller(
      {},
      counting(() => '2'),
    );
    poller.poll(`${A}/slow`, { interval: 5000 });
    await advance(0);
    await advance(10_000);
    expect(net.times()).toEqual([0, 5000, 10_000]);
  });

  it('garbage values are ignored: the poll keeps its interval', async () => {
    const garbage = [
      'abc',
      '-5',
      '',
      '1e3',
      '0x10',
      'Infinity',
      'NaN',
      '60, 60',
      '1.',
      '.5',
      '6 0',
    ];
    const { poller, net } = fakePoller(
      {},
      counting((n) => garbage[n - 1]),
    );
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    await advance(garbage.length * 1000);
    expect(net.times()).toEqual(Array.from({ length: garbage.length + 1 }, (_, i) => i * 1000));
  });

  it('fractions of a second are taken as given; 0 is no floor', async () => {
    const values = ['1.5', '0', '2'];
    const { poller, net } = fakePoller(
      {},
      counting((n) => values[n - 1]),
    );
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    await advance(5500);
    // 0 → +1500 (floor 1.5 s) → +1000 (floor 0) → +2000 (floor 2 s) → +1000
    expect(net.times()).toEqual([0, 1500, 2500, 4500, 5500]);
  });

  it('a huge value is clamped to a day, not years of silence', async () => {
    const DAY = 24 * 3600 * 1000;
    const { poller, net } = fakePoller(
      {},
      counting((n) => (n === 1 ? '99999999999' : undefined)),
    );
    poller.poll(`${A}/feed`, { interval: 1000 });
    await advance(0);
    await advance(DAY - 1);
    expect(net.times()).toEqual([0]);
    await advance(1);
    expect(net.times()).toEqual([0, DAY]);
    await advance(1000);
    expect(net.times()).toEqual([0, DAY, DAY + 1000]);
  });

  it('two subscribers of one URL share the floor: one request at 0 s, the next at 60 s', async () => {
    const { poller, net } = fakePoller(
      {},
      counting((n) => (n === 1 ? '60' : undefined)),
    );
    const a: unknown[] = [];
    const b: unknown[] = [];
    poller.poll(`${A}/feed`, { interval: 1000, onData: (d) => a.push(d) });
    poller.poll(`${A}/feed`, { interval: 500, onData: (d) => b.push(d) });
    await advance(0);
    await advance(60_000);
    expect(net.times()).toEqual([0, 60_000]);
    expect(a).toEqual([{ n: 1 }, { n: 2 }]);
    expect(b).toEqual(a);
    await advance(500);
    expect(net.times()).toEqual([0, 60_000, 60_500]); // the shortest interval again
  });
});

// The one reader of the header (src/pacing/rate-limit-headers.ts, where its edge cases are
// tested too), as this door calls it: with a response's headers.
describe('readPollInterval', () => {
  /** A header reader holding `value` (as a polyfill or an SDK may hand it over, unchecked). */
  const read = (value: string | null) =>
    readPollInterval({ get: (name) => (name === 'x-poll-interval' ? value : null) });

  it('reads seconds as whole ms, at most a day; 0 and anything else is null, never a throw', () => {
    expect(read('60')).toBe(60_000);
    expect(read(' 7 ')).toBe(7000);
    expect(readPollInterval(new Headers({ 'X-Poll-Interval': '60' }))).toBe(60_000);
    expect(read('0.25')).toBe(250);
    expect(read('0.0001')).toBe(1);
    expect(read('86401')).toBe(86_400_000);
    expect(read('0')).toBeNull();
    expect(read(null)).toBeNull();
    for (const bad of ['', '-1', '+1', '1e2', 'abc', '1,2', '∞', '１'])
      expect(read(bad)).toBeNull();
    expect(readPollInterval(undefined as unknown as HeaderReader)).toBeNull();
    const throwing = {
      get: () => {
        throw new TypeError('no');
      },
    };
    expect(readPollInterval(throwing)).toBeNull();
  });
});

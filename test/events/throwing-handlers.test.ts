import { describe, expect, it, vi } from 'vitest';
import type { PollerEvents } from '../../src/events.js';
import { useFakeClock } from '../support/clock.js';
import { status } from '../support/fake-network.js';
import { fakePoller } from '../support/poller.js';
import { spyReportError } from '../support/report-error.js';

useFakeClock();

const URL_A = 'http://a.test/x';
const EVERY_EVENT: (keyof PollerEvents)[] = [
  'request',
  'response',
  'cooldown',
  'data',
  'error',
  'skip',
  'visibility',
  'online',
];

describe('a throwing on() handler never breaks the poller', () => {
  const reported = spyReportError();

  it('polling, cooldowns and the other handlers go on; each throw is reported, never rethrown', async () => {
    let n = 0;
    const env = fakePoller({}, () => {
      n += 1;
      return n === 3
        ? status(429, { 'retry-after': '5' })
        : Response.json({ n }, { headers: { 'content-type': 'application/json' } });
    });
    const { poller, net, visibility, online } = env;
    const seen: string[] = [];
    for (const type of EVERY_EVENT) {
      poller.on(type, () => {
        throw new Error(`handler of ${type}`);
      });
      poller.on(type, () => seen.push(type));
    }
    const data: unknown[] = [];
    poller.poll(URL_A, { interval: 1000, onData: (d) => data.push(d) });

    await vi.advanceTimersByTimeAsync(3000); // requests at 0, 1000, 2000 (429: 5 s cooldown)
    visibility.set(false);
    online.set(false);
    visibility.set(true);
    online.set(true);
    await vi.advanceTimersByTimeAsync(6000); // cooled down until 7000

    expect(net.times()).toEqual([0, 1000, 2000, 7000, 8000, 9000]);
    expect(data).toEqual([{ n: 1 }, { n: 2 }, { n: 4 }, { n: 5 }, { n: 6 }]);
    for (const type of ['request', 'response', 'cooldown', 'data', 'visibility', 'online']) {
      expect(seen, type).toContain(type);
    }
    // Every throw was reported once, in the order the events were emitted.
    const messages = reported.map((e) => (e as Error).message);
    expect(messages.length).toBe(seen.length);
    expect(messages).toEqual(seen.map((type) => `handler of ${type}`));
  });

  it('a wrapped fetch resolves although its request and response handlers throw', async () => {
    const env = fakePoller({}, () => Response.json({ ok: true }));
    env.poller.on('request', () => {
      throw new Error('request handler');
    });
    env.poller.on('response', () => {
      throw new Error('response handler');
    });
    const fetch = env.poller.wrapFetch();
    const res = await fetch(URL_A);
    expect(await res.json()).toEqual({ ok: true });
    expect(reported.map((e) => (e as Error).message)).toEqual([
      'request handler',
      'response handler',
    ]);
    expect(env.poller.inspect().requestsInFlight).toBe(0);
  });
});

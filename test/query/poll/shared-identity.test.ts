import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { InvalidOptionsError, type Subscription } from '../../../src/index.js';
import { useFakeClock } from '../../support/clock.js';
import { fakePoller } from '../../support/poller.js';

// Bugs found while writing the issue 7 tests, each written as the behaviour should be; both are
// fixed (src/query/poll-query.ts: a late subscriber gets the data there is; src/query/
// url-request.ts: URL polls share only with the same headers, credentials and schema).

useFakeClock();
const URL_A = 'http://a.test/feed';

describe('fixed bugs of shared polls (src/query/poll-query.ts, src/query/poll.ts)', () => {
  it('a subscriber that joins a poll which already has data gets onData with it', async () => {
    // The data never changes, so the late subscriber's onData is never called: a component
    // that renders from onData stays empty forever.
    const { poller, net } = fakePoller({}, () => Response.json({ same: true }));
    poller.poll(URL_A, { interval: 1000 });
    await vi.advanceTimersByTimeAsync(0);
    const onData = vi.fn();
    poller.poll(URL_A, { interval: 1000, onData });
    await vi.advanceTimersByTimeAsync(3000);
    expect(net.count()).toBe(4);
    expect(onData).toHaveBeenCalledExactlyOnceWith({ same: true });
  });

  it('a second poll of one URL with its own headers and schema is not silently given the first one’s', async () => {
    // Today the second poll joins the first one's request: its headers are never sent and its
    // schema never runs, so it receives data typed `{ must: string }` that has no `must`.
    const { poller, net } = fakePoller({}, () => Response.json({ other: 1 }));
    poller.poll(URL_A, { interval: 1000 });
    let second: Subscription<{ must: string }> | undefined;
    try {
      second = poller.poll(URL_A, {
        interval: 1000,
        headers: { authorization: 'Bearer second' },
        schema: z.object({ must: z.string() }),
      });
    } catch (error) {
      // Refusing the conflicting options would be a fix too.
      expect(error).toBeInstanceOf(InvalidOptionsError);
      return;
    }
    await vi.advanceTimersByTimeAsync(0);
    expect(net.calls.map((c) => c.headers.get('authorization'))).toContain('Bearer second');
    expect(second.getSnapshot().status).toBe('error'); // its schema rejects { other: 1 }
  });
});

import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { isPollwiseError, PollwiseError, ValidationError } from '../../../src/index.js';
import { useFakeClock } from '../../support/clock.js';
import type { FakeCall } from '../../support/fake-network.js';
import { fakePoller } from '../../support/poller.js';

useFakeClock();
const A = 'http://a.test';

const Item = z.object({ id: z.number(), name: z.string() });

/** a.test/good answers a valid item, a.test/bad one whose id is a string. */
const itemServer = ({ url }: FakeCall) =>
  Response.json(url.endsWith('/bad') ? { id: 'x', name: 'bad' } : { id: 1, name: 'good' });

describe('schema (Standard Schema, zod 4)', () => {
  it('a schema failure is a typed ValidationError for that poll only; another poll on the origin keeps getting data', async () => {
    const { poller, net } = fakePoller({}, itemServer);
    const badErrors: unknown[] = [];
    const badData = vi.fn();
    const goodData: unknown[] = [];
    const goodErrors = vi.fn();
    const bad = poller.poll(`${A}/bad`, {
      schema: Item,
      interval: 1000,
      onData: badData,
      onError: (e) => badErrors.push(e),
    });
    const good = poller.poll(`${A}/good`, {
      schema: Item,
      interval: 1000,
      onData: (d) => goodData.push(d),
      onError: goodErrors,
    });
    // The data is typed from the schema: test/poller.test-d.ts.

    // Ten ticks: more than enough failures to open a breaker or start a backoff, were a schema
    // failure counted against the origin.
    await vi.advanceTimersByTimeAsync(0);
    for (let tick = 1; tick <= 9; tick++) await vi.advanceTimersByTimeAsync(1000);

    expect(net.count(A)).toBe(20);
    expect(net.calls.filter((c) => c.url.endsWith('/good'))).toHaveLength(10);
    expect(net.calls.filter((c) => c.url.endsWith('/bad'))).toHaveLength(10);

    expect(badErrors).toHaveLength(10);
    for (const error of badErrors) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(PollwiseError);
      expect(isPollwiseError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'ValidationError', code: 'validation' });
      const { issues } = error as ValidationError;
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toEqual(['id']);
    }
    expect(badData).not.toHaveBeenCalled();
    expect(bad.getSnapshot()).toMatchObject({ status: 'error', data: undefined });
    expect((bad.getSnapshot().error as ValidationError).key).toBe(`${A}/bad`);

    expect(goodErrors).not.toHaveBeenCalled();
    expect(goodData).toEqual([{ id: 1, name: 'good' }]); // the same data: one call
    expect(good.getSnapshot()).toMatchObject({ status: 'success', data: { id: 1, name: 'good' } });

    // The origin is healthy: no cooldown, no breaker, every answer was a 200.
    expect(poller.cooldownUntil(A)).toBe(0);
    expect(poller.stats()).toMatchObject({
      sent: 20,
      responses: 20,
      succeeded: 10,
      errors: 10,
      breakerOpened: 0,
      refused: 0,
    });
  });

  it('the schema output (transforms, defaults) is the data subscribers see', async () => {
    const { poller } = fakePoller({}, () => Response.json({ id: '7' }));
    const Coerced = z.object({ id: z.coerce.number(), tags: z.array(z.string()).default([]) });
    const sub = poller.poll(`${A}/coerce`, { schema: Coerced });
    await vi.advanceTimersByTimeAsync(0);
    expect(sub.getSnapshot().data).toEqual({ id: 7, tags: [] });
  });
});

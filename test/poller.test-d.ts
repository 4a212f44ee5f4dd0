// Type tests of the core surface: run by `vitest run` in typecheck mode (vitest.config.ts), so
// a regression of the inference fails the test run, not only `tsc --noEmit`.
import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import {
  createPoller,
  type PollContext,
  type PollerEvents,
  type Snapshot,
  type Subscription,
} from '../src/index.js';

const poller = createPoller();
const URL_A = 'https://a.test/item';
const Item = z.object({ id: z.number(), name: z.string() });
type Item = { id: number; name: string };

describe('poll(url) types', () => {
  it('a schema types the data: subscription, snapshot and onData', () => {
    const sub = poller.poll(URL_A, {
      schema: Item,
      onData: (data) => expectTypeOf(data).toEqualTypeOf<Item>(),
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<Item>>();
    expectTypeOf(sub.getSnapshot()).toEqualTypeOf<Snapshot<Item>>();
    expectTypeOf(sub.getSnapshot().data).toEqualTypeOf<Item | undefined>();
  });

  it('the schema output, not its input, is the data (transforms and defaults)', () => {
    const Coerced = z.object({ id: z.coerce.number(), tags: z.array(z.string()).default([]) });
    const sub = poller.poll(URL_A, { schema: Coerced });
    expectTypeOf(sub.getSnapshot().data).toEqualTypeOf<
      { id: number; tags: string[] } | undefined
    >();
  });

  it('select receives the schema output and types what the subscriber sees', () => {
    const sub = poller.poll(URL_A, {
      schema: Item,
      select: (item) => {
        expectTypeOf(item).toEqualTypeOf<Item>();
        return item.name.length;
      },
      onData: (length) => expectTypeOf(length).toEqualTypeOf<number>(),
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<number>>();
    expectTypeOf(sub.getSnapshot().data).toEqualTypeOf<number | undefined>();
    poller.poll(URL_A, {
      schema: Item,
      // @ts-expect-error: the schema's output has no `missing`
      select: (item) => item.missing,
    });
  });

  it('poll<T>(url) types the data without a schema; select maps it', () => {
    const sub = poller.poll<{ n: number }>(URL_A);
    expectTypeOf(sub).toEqualTypeOf<Subscription<{ n: number }>>();
    expectTypeOf(sub.getSnapshot().data).toEqualTypeOf<{ n: number } | undefined>();
    const selected = poller.poll<{ n: number }, string>(URL_A, { select: (d) => String(d.n) });
    expectTypeOf(selected).toEqualTypeOf<Subscription<string>>();
  });

  it('without a schema or a type argument the data is unknown', () => {
    const sub = poller.poll(URL_A, { headers: { authorization: 'Bearer t' } });
    expectTypeOf(sub).toEqualTypeOf<Subscription<unknown>>();
    expectTypeOf(sub.getSnapshot().data).toEqualTypeOf<unknown>();
  });

  it('headers may be an object or a (possibly async) function', () => {
    poller.poll(URL_A, { headers: () => ({ authorization: 'Bearer t' }) });
    poller.poll(URL_A, { headers: async () => [['authorization', 'Bearer t']] });
    // @ts-expect-error: headers are HeadersInit, not a number
    poller.poll(URL_A, { headers: 1 });
  });
});

describe('poll(task) types', () => {
  it('infers the data from what the task returns', () => {
    const sub = poller.poll(
      async (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<PollContext>();
        return { count: (await ctx.http<{ count: number }>('https://a.test/count')).count };
      },
      { origin: 'https://a.test' },
    );
    expectTypeOf(sub).toEqualTypeOf<Subscription<{ count: number }>>();
    const sync = poller.poll(() => 42, { url: URL_A });
    expectTypeOf(sync).toEqualTypeOf<Subscription<number>>();
  });

  it('select and onData of a task poll follow the task', () => {
    const sub = poller.poll(() => ({ items: ['a'] }), {
      url: URL_A,
      select: (data) => data.items.length,
      onData: (length) => expectTypeOf(length).toEqualTypeOf<number>(),
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<number>>();
  });

  it('URL-only options are refused for task polls, and a task poll names its url or origin', () => {
    // @ts-expect-error: headers belong to URL polls
    poller.poll(() => 1, { url: URL_A, headers: { a: 'b' } });
    // @ts-expect-error: a task poll needs its options (url or origin)
    poller.poll(() => 1);
  });
});

describe('Subscription and events', () => {
  it('getSnapshot() is a Snapshot<T>; subscribe() hands listeners that snapshot and returns unsubscribe', () => {
    const sub = poller.poll(URL_A, { schema: Item });
    expectTypeOf(sub.getSnapshot().status).toEqualTypeOf<'pending' | 'success' | 'error'>();
    expectTypeOf(sub.getSnapshot().updatedAt).toEqualTypeOf<number | null>();
    const stop = sub.subscribe((snapshot) =>
      expectTypeOf(snapshot).toEqualTypeOf<Snapshot<Item>>(),
    );
    expectTypeOf(stop).toEqualTypeOf<() => void>();
    expectTypeOf(sub.unsubscribe).toEqualTypeOf<() => void>();
  });

  it('on() types each event and returns its unsubscribe function', () => {
    const off = poller.on('cooldown', (event) =>
      expectTypeOf(event).toEqualTypeOf<PollerEvents['cooldown']>(),
    );
    expectTypeOf(off).toEqualTypeOf<() => void>();
    expectTypeOf(poller.on('request', () => {})).toEqualTypeOf<() => void>();
    poller.on('breaker:open', (event) => expectTypeOf(event.until).toEqualTypeOf<number>());
    // @ts-expect-error: no such event
    poller.on('no-such-event', () => {});
  });
});

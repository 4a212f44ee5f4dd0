// Type tests of poll()'s adaptive options: `interval` as a function of the poll's snapshot (the
// data before `select`), and `stretch`. Run by `vitest run` in typecheck mode.
import { describe, expectTypeOf, it } from 'vitest';
import * as z from 'zod';
import {
  createPoller,
  type PollOptions,
  type Snapshot,
  type Subscription,
} from '../../src/index.js';

const poller = createPoller();
const URL_A = 'https://a.test/job';
const Job = z.object({ state: z.enum(['running', 'done']), progress: z.number() });
type Job = z.infer<typeof Job>;

describe('interval as a function', () => {
  it('gets the schema-typed snapshot, before select', () => {
    const sub = poller.poll(URL_A, {
      schema: Job,
      select: (job) => job.progress,
      interval: (snapshot) => {
        expectTypeOf(snapshot).toEqualTypeOf<Snapshot<Job>>();
        return snapshot.data?.state === 'done' ? 60_000 : 1000;
      },
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<number>>();
  });

  it('gets the data type given to poll<T>(url), and unknown without one', () => {
    poller.poll<{ n: number }>(URL_A, {
      interval: (snapshot) => {
        expectTypeOf(snapshot.data).toEqualTypeOf<{ n: number } | undefined>();
        return 1000;
      },
    });
    const sub = poller.poll(URL_A, {
      interval: (snapshot) => {
        expectTypeOf(snapshot).toEqualTypeOf<Snapshot<unknown>>();
        return 1000;
      },
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<unknown>>();
  });

  it("follows a task's result, and leaves the task's inference alone", () => {
    const sub = poller.poll(async () => ({ done: false }), {
      origin: 'https://a.test',
      interval: (snapshot) => {
        expectTypeOf(snapshot).toEqualTypeOf<Snapshot<{ done: boolean }>>();
        return snapshot.data?.done ? 30_000 : 500;
      },
      select: (data) => data.done,
    });
    expectTypeOf(sub).toEqualTypeOf<Subscription<boolean>>();
  });

  it('must return a number', () => {
    // @ts-expect-error: an interval is a number of ms
    poller.poll(URL_A, { interval: () => '1000' });
    // @ts-expect-error: not async: the interval is needed at once
    poller.poll(URL_A, { interval: async () => 1000 });
    expectTypeOf<PollOptions['interval']>().toEqualTypeOf<
      number | ((snapshot: Snapshot<unknown>) => number) | undefined
    >();
  });
});

describe('stretch', () => {
  it('takes a boolean or { factor?, maxMs? }', () => {
    poller.poll(URL_A, { stretch: true });
    poller.poll(URL_A, { stretch: false });
    poller.poll(URL_A, { stretch: {} });
    poller.poll(URL_A, { interval: 1000, stretch: { factor: 2, maxMs: 30_000 } });
    poller.poll(() => 1, { origin: 'https://a.test', stretch: { maxMs: 10_000 } });
    // @ts-expect-error: no such setting
    poller.poll(URL_A, { stretch: { cap: 10 } });
    // @ts-expect-error: factor is a number
    poller.poll(URL_A, { stretch: { factor: '2' } });
    // @ts-expect-error: not a string
    poller.poll(URL_A, { stretch: 'on' });
  });
});

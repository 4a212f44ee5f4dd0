// Visibility and online sources and clocks that pass option validation and then misbehave: they
// throw when the first poll attaches to them, return no unsubscribe function, or have one that
// throws. poll() either works or throws and leaves nothing behind; unsubscribe() and dispose()
// always finish.
import { describe, expect, it } from 'vitest';
import type { Clock, PollerOptions } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { manualOnline, manualVisibility } from '../support/fake-environment.js';
import { fakePoller, held, NOTHING_HELD } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';
import { spyReportError } from '../support/report-error.js';

useFakeClock();

const A = 'http://a.test';

const boom = (what: string) => () => {
  throw new Error(what);
};

describe('a source or clock that throws when the first poll attaches', () => {
  // Each case: the options, and the listeners the sources still hold (each must be 0).
  const cases = (): [string, PollerOptions, () => number][] => {
    const visibility = manualVisibility();
    const online = manualOnline();
    const listeners = () => visibility.listeners + online.listeners;
    const sources = { visibility: visibility.source, online: online.source };
    return [
      [
        'isVisible throws',
        { ...sources, visibility: { ...visibility.source, isVisible: boom('isVisible') } },
        listeners,
      ],
      [
        'visibility.subscribe throws',
        {
          ...sources,
          visibility: { ...visibility.source, subscribe: boom('visibility.subscribe') },
        },
        listeners,
      ],
      [
        'isOnline throws',
        { ...sources, online: { ...online.source, isOnline: boom('isOnline') } },
        listeners,
      ],
      [
        'online.subscribe throws',
        { ...sources, online: { ...online.source, subscribe: boom('online.subscribe') } },
        listeners,
      ],
      [
        'clock.setTimeout throws',
        {
          ...sources,
          clock: {
            now: () => Date.now(),
            setTimeout: boom('clock.setTimeout'),
            clearTimeout: () => {},
          } satisfies Clock,
        },
        listeners,
      ],
    ];
  };

  it.each(cases().map(([name]) => [name]))(
    '%s: poll() throws that error and leaves nothing scheduled, attached or polling',
    async (name) => {
      const [, options, listeners] = cases().find(([n]) => n === name) as [
        string,
        PollerOptions,
        () => number,
      ];
      const { poller, net } = fakePoller(options);
      const error = thrownBy(() => poller.poll(`${A}/x`, { interval: 1000 })) as Error;
      expect(error.message).toBe(name.replace(' throws', ''));
      expect(held(poller)).toEqual(NOTHING_HELD);
      expect(listeners(), 'source listeners left').toBe(0);
      await advance(3000);
      expect(net.requests).toBe(0);
      expect(held(poller)).toEqual(NOTHING_HELD);
    },
  );

  it('once the source works again, the next poll() attaches once and polls', async () => {
    const visibility = manualVisibility();
    let failing = true;
    const { poller, net } = fakePoller({
      visibility: {
        isVisible: visibility.source.isVisible,
        subscribe: (listener) => {
          if (failing) throw new Error('not yet');
          return visibility.source.subscribe(listener);
        },
      },
    });
    expect(() => poller.poll(`${A}/x`, { interval: 1000 })).toThrow('not yet');
    failing = false;
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(2000);
    expect(net.requests).toBe(3);
    expect(visibility.listeners).toBe(1);
    poller.dispose();
    expect(visibility.listeners).toBe(0);
  });

  it('a poll of a new group whose timer cannot be armed is rolled back; the polls before it go on', async () => {
    let armable = true;
    const { poller, net } = fakePoller({
      clock: {
        now: () => Date.now(),
        setTimeout: (callback, ms) => {
          if (!armable) throw new Error('no timer');
          return setTimeout(callback, ms);
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    armable = false;
    expect(() => poller.poll('http://b.test/y', { interval: 1000 })).toThrow('no timer');
    expect(held(poller)).toMatchObject({ entries: 1, groups: 1, lanes: 1, sharedPolls: 1 });
    armable = true;
    await advance(2000);
    expect(net.paths()).toEqual(['/x', '/x', '/x']);
  });

  it("a poll joining a group whose timer cannot be re-armed is rolled back; the group's timer stays armed", async () => {
    let armable = true;
    const { poller, net } = fakePoller({
      clock: {
        now: () => Date.now(),
        setTimeout: (callback, ms) => {
          if (!armable) throw new Error('no timer');
          return setTimeout(callback, ms);
        },
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    await advance(500);
    armable = false;
    // Same origin and interval: the same group, due at once, so the group is re-armed.
    expect(() => poller.poll(`${A}/y`, { interval: 1000 })).toThrow('no timer');
    expect(held(poller)).toMatchObject({ entries: 1, groups: 1, timers: 1, sharedPolls: 1 });
    armable = true;
    await advance(1500);
    expect(net.times()).toEqual([0, 1000, 2000]);
    expect(net.paths()).toEqual(['/x', '/x', '/x']);
  });
});

describe('unsubscribe functions that are missing or throw', () => {
  const reported = spyReportError();

  it('a subscribe() that returns no function: unsubscribe() and dispose() still clean up', async () => {
    const { poller } = fakePoller({
      visibility: { isVisible: () => true, subscribe: () => undefined as never },
    });
    const sub = poller.poll(`${A}/x`, { interval: 1000 });
    await advance(0);
    expect(() => sub.unsubscribe()).not.toThrow();
    expect(held(poller)).toEqual(NOTHING_HELD);
    poller.poll(`${A}/x`, { interval: 1000 });
    expect(() => poller.dispose()).not.toThrow();
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(reported).toEqual([]);
  });

  it('an unsubscribe that throws is reported; the other source is still detached and dispose() finishes', async () => {
    const online = manualOnline();
    const { poller } = fakePoller({
      visibility: { isVisible: () => true, subscribe: () => boom('stop visibility') },
      online: online.source,
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.on('data', () => {});
    await advance(0);
    expect(online.listeners).toBe(1);
    expect(() => poller.dispose()).not.toThrow();
    expect(online.listeners).toBe(0);
    expect(held(poller)).toEqual(NOTHING_HELD);
    expect(poller.inspect().eventListeners).toBe(0);
    expect((reported as Error[]).map((e) => e.message)).toEqual(['stop visibility']);
  });
});

// Visibility and online sources and clocks that work when the first poll attaches and throw
// later, while a tick, a settle, a refresh or a source's event reads them. Nothing may throw out
// of a timer or an event, and no poll may stop for good: a throwing read is reported, a source
// counts as visible and online for it, and what a throwing clock left unarmed is armed again at
// the next settle or event.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { manualOnline, manualVisibility } from '../support/fake-environment.js';
import { fakePoller } from '../support/poller.js';
import { deferred } from '../support/promises.js';
import { spyReportError } from '../support/report-error.js';

useFakeClock();

const A = 'http://a.test';
const B = 'http://b.test';

/** `read`, throwing `error` while `broken.now` is true. */
function breakable<T>(read: () => T, error: Error) {
  const broken = { now: false };
  const guarded = () => {
    if (broken.now) throw error;
    return read();
  };
  return { broken, guarded };
}

/** The fake timers' clock, with a setTimeout or a now() that can be broken. */
function breakableClock(part: 'setTimeout' | 'now', error: Error) {
  const broken = { now: false };
  const check = () => {
    if (broken.now) throw error;
  };
  let armed = 0;
  const clock: Clock = {
    now: () => {
      if (part === 'now') check();
      return Date.now();
    },
    setTimeout: (callback, ms) => {
      if (part === 'setTimeout') check();
      armed++;
      return setTimeout(callback, ms);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return { clock, broken, armed: () => armed };
}

const only = (reported: unknown[], error: Error) => {
  expect(reported.length, 'reported').toBeGreaterThan(0);
  expect(
    reported.every((e) => e === error),
    String(reported),
  ).toBe(true);
};

describe('a visibility or online source that throws at tick time', () => {
  const reported = spyReportError();

  it('isVisible throws: reported, the page counts as visible, every poll goes on; recovered, hiding parks again', async () => {
    const visibility = manualVisibility();
    const error = new Error('isVisible broke');
    const { broken, guarded } = breakable(visibility.get, error);
    const { poller, net } = fakePoller({
      visibility: { isVisible: guarded, subscribe: visibility.subscribe },
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/y`, { interval: 1500 });
    await advance(0);
    broken.now = true;
    await advance(3000);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000]);
    expect(net.times(B)).toEqual([0, 1500, 3000]);
    only(reported, error);
    // Still broken: a hidden page counts as visible (the source cannot say otherwise).
    visibility.set(false);
    await advance(1000);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000, 4000]);
    broken.now = false;
    reported.length = 0;
    await advance(3000);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(net.times(B)).toEqual([0, 1500, 3000]);
    visibility.set(true);
    await advance(0);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000, 4000, 7000]);
    expect(net.times(B)).toEqual([0, 1500, 3000, 7000]);
    expect(reported).toEqual([]);
    expect(poller.inspect()).toMatchObject({ groups: 2, timers: 2, running: 0, queued: 0 });
  });

  it('isOnline throws: reported, the network counts as online, every poll goes on; recovered, offline parks again', async () => {
    const online = manualOnline();
    const error = new Error('isOnline broke');
    const { broken, guarded } = breakable(online.get, error);
    const { poller, net } = fakePoller({
      online: { isOnline: guarded, subscribe: online.subscribe },
    });
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/y`, { interval: 1500 });
    await advance(0);
    broken.now = true;
    await advance(3000);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000]);
    expect(net.times(B)).toEqual([0, 1500, 3000]);
    only(reported, error);
    broken.now = false;
    online.set(false);
    await advance(3000);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000]);
    online.set(true);
    await advance(0);
    expect(net.times(A)).toEqual([0, 1000, 2000, 3000, 6000]);
    expect(net.times(B)).toEqual([0, 1500, 3000, 6000]);
  });

  it('refresh(), a second subscriber and the page returning re-arm while isOnline throws: nothing throws, the polls run', async () => {
    const online = manualOnline();
    const error = new Error('isOnline broke');
    const { broken, guarded } = breakable(online.get, error);
    const { poller, net, visibility } = fakePoller({
      online: { isOnline: guarded, subscribe: online.subscribe },
    });
    const sub = poller.poll(`${A}/x`, { interval: 1000 });
    await advance(200);
    broken.now = true;
    expect(() => sub.refresh()).not.toThrow();
    await advance(0);
    expect(net.times()).toEqual([0, 200]);
    // Shared with a faster subscriber: the poll moves to a 500 ms group.
    expect(() => poller.poll(`${A}/x`, { interval: 500 })).not.toThrow();
    expect(() => visibility.set(false)).not.toThrow();
    expect(() => visibility.set(true)).not.toThrow();
    await advance(1000);
    expect(net.times()).toEqual([0, 200, 700, 1200]);
    only(reported, error);
  });
});

describe('a clock that throws at tick time', () => {
  const reported = spyReportError();

  it('setTimeout throws as ticks re-arm: reported, the groups wait with no timer, and the next settle arms them again', async () => {
    const error = new Error('no timer now');
    const { clock, broken } = breakableClock('setTimeout', error);
    // B's second answer comes when the test says: after the clock works again.
    const slow = deferred<Response>();
    const { poller, net } = fakePoller({ clock, timeout: false }, (call) =>
      call.origin === B && call.n === 2 ? slow.promise : Response.json({ ok: true }),
    );
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/slow`, { interval: 1000 });
    await advance(500);
    broken.now = true;
    await advance(500);
    expect(net.times(A)).toEqual([0, 1000]);
    expect(net.times(B)).toEqual([0, 1000]);
    only(reported, error);
    // Nothing half-done: both polls are in their groups, neither queued; no timer armed.
    expect(poller.inspect()).toMatchObject({ entries: 2, groups: 2, timers: 0, queued: 0 });
    broken.now = false;
    await advance(1500);
    expect(net.times()).toHaveLength(4); // no timer, no tick
    slow.resolve(Response.json({ ok: true })); // B settles: every waiting group is armed
    await advance(0); // both overdue: they run at once
    expect(net.times(A)).toEqual([0, 1000, 2500]);
    expect(net.times(B)).toEqual([0, 1000, 2500]);
    await advance(1000);
    expect(net.times(A)).toEqual([0, 1000, 2500, 3500]);
    expect(net.times(B)).toEqual([0, 1000, 2500, 3500]);
    expect(poller.inspect()).toMatchObject({ groups: 2, timers: 2 });
  });

  it('setTimeout throws as a tick re-arms: the next online event, or a refresh(), arms the group again', async () => {
    const error = new Error('no timer now');
    const { clock, broken } = breakableClock('setTimeout', error);
    const { poller, net, online } = fakePoller({ clock, timeout: false });
    poller.poll(`${A}/x`, { interval: 1000 });
    const other = poller.poll(`${B}/y`, { interval: 1000 });
    await advance(500);
    broken.now = true;
    await advance(500);
    broken.now = false;
    await advance(2000);
    expect(net.times()).toEqual([0, 0, 1000, 1000]);
    online.set(false);
    online.set(true);
    await advance(0);
    expect(net.times(A)).toEqual([0, 1000, 3000]);
    expect(net.times(B)).toEqual([0, 1000, 3000]);
    // Broken again at B's next tick: refresh() arms its group when the clock works.
    broken.now = true;
    await advance(1000);
    broken.now = false;
    reported.length = 0;
    other.refresh();
    await advance(0);
    expect(net.times(B)).toEqual([0, 1000, 3000, 4000, 4000]);
    await advance(1000);
    // A's group, left without a timer at 4000 too, was armed by the settle of B's extra run.
    expect(net.times(A)).toEqual([0, 1000, 3000, 4000, 5000]);
    expect(net.times(B)).toEqual([0, 1000, 3000, 4000, 4000, 5000]);
    expect(reported).toEqual([]);
  });

  it('now() throws: reported; time stands still for the scheduler (nothing due, no spinning) and polling resumes by itself when the clock does', async () => {
    const error = new Error('no time now');
    const { clock, broken, armed } = breakableClock('now', error);
    const { poller, net } = fakePoller({ clock, timeout: false });
    poller.poll(`${A}/x`, { interval: 1000 });
    poller.poll(`${B}/y`, { interval: 700 });
    await advance(500);
    const armedBefore = armed();
    broken.now = true;
    await advance(3000);
    expect(net.times()).toEqual([0, 0]);
    only(reported, error);
    // Each group wakes once per interval, finds nothing due and sleeps again: A 3 times, B 5.
    expect(armed() - armedBefore).toBe(8);
    expect(poller.inspect()).toMatchObject({ groups: 2, timers: 2, running: 0, queued: 0 });
    broken.now = false;
    await advance(1500);
    expect(net.times(A)).toEqual([0, 4000, 5000]);
    expect(net.times(B)).toEqual([0, 4200, 4900]);
  });
});

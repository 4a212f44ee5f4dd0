import { describe, expect, it } from 'vitest';
import { coreOf } from '../../src/core/poller-core.js';
import type { PollerOptions } from '../../src/index.js';
import { createResource } from '../../src/resource/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';

useFakeClock();

// Objects the app hands over (sources, clock, schemas) are used as given: option validation
// copies option bags, never an object that keeps its own state, here on `this`.

const A = 'http://a.test';

/** A visibility source written as an object literal, its state on `this`. */
function literalVisibility() {
  return {
    hidden: false,
    listeners: [] as ((visible: boolean) => void)[],
    isVisible() {
      return !this.hidden;
    },
    subscribe(listener: (visible: boolean) => void) {
      this.listeners.push(listener);
      return () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
    },
    hide() {
      this.hidden = true;
      for (const listener of this.listeners) listener(false);
    },
  };
}

/** An online source written as an object literal, its state on `this`. */
function literalOnline() {
  return {
    online: true,
    listeners: [] as ((online: boolean) => void)[],
    isOnline() {
      return this.online;
    },
    subscribe(listener: (online: boolean) => void) {
      this.listeners.push(listener);
      return () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
    },
    goOffline() {
      this.online = false;
      for (const listener of this.listeners) listener(false);
    },
  };
}

/** A Standard Schema written as an object literal that records, on `this`, what it validated. */
function literalSchema() {
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      seen: [] as unknown[],
      validate(value: unknown) {
        this.seen.push(value);
        return { value };
      },
    },
  };
}

const poll = (options: PollerOptions) => {
  const env = fakePoller(options);
  env.poller.poll(`${A}/x`, { interval: 1000 });
  return env;
};

describe('user objects given as options are used as given', () => {
  it('a visibility source keeping its state on `this`: hidden means nothing is sent', async () => {
    const visibility = literalVisibility();
    const { net, poller } = poll({ visibility });
    await advance(500);
    expect(net.times()).toEqual([0]);
    visibility.hide();
    await advance(10_000);
    expect(net.times()).toEqual([0]);
    expect(poller.stats().skipped.hidden).toBeGreaterThan(0);
  });

  it('an online source keeping its state on `this`: offline means nothing is sent', async () => {
    const online = literalOnline();
    const { net } = poll({ online });
    await advance(500);
    online.goOffline();
    await advance(10_000);
    expect(net.times()).toEqual([0]);
  });

  it('a clock keeping its time on `this`: the poller reads the very object', async () => {
    const clock = {
      t: Date.now(),
      now() {
        return this.t;
      },
      setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
      clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const { net, poller } = poll({ clock });
    await advance(0);
    for (let i = 0; i < 10; i++) {
      clock.t += 1000;
      await advance(1000);
    }
    expect(net.count()).toBe(11);
    expect(coreOf(poller).clock).toBe(clock);
  });

  it("a poll's schema keeping its state on `this` is the one that validates", async () => {
    const schema = literalSchema();
    const { poller } = fakePoller();
    const data: unknown[] = [];
    poller.poll(`${A}/x`, { schema, onData: (d) => data.push(d) });
    await advance(0);
    expect(data).toEqual([{ ok: true }]);
    expect(schema['~standard'].seen).toEqual([{ ok: true }]);
  });

  it("a resource item's schema keeping its state on `this` is the one that validates", async () => {
    const schema = literalSchema();
    const { poller } = fakePoller();
    const resource = createResource(poller, {
      item: { url: (key: string) => `${A}/items/${key}`, schema },
    });
    const read = resource.fetch('a');
    await advance(0);
    await expect(read).resolves.toEqual({ ok: true });
    expect(schema['~standard'].seen).toEqual([{ ok: true }]);
  });

  it('option bags are still copied: changing one after createPoller() changes nothing', async () => {
    const hosts = [{ match: 'a.test', interval: 5000 }];
    const { net, poller } = fakePoller({ hosts });
    hosts[0]!.interval = 1;
    poller.poll(`${A}/x`);
    await advance(6000);
    expect(net.times()).toEqual([0, 5000]);
  });
});

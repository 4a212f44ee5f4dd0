import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../src/events.js';
import { createPoller, type PollerEvents } from '../../src/index.js';
import { track } from '../support/poller.js';

// Whether a removed handler is still referenced, asked of the garbage collector itself: V8's own
// full, precise `gc` (switched on for a fresh context only), then a WeakRef to each handler.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** How many of `refs` are still alive after full collections (0: nothing retains them). */
async function retained(refs: readonly WeakRef<object>[]): Promise<number> {
  const alive = () => refs.filter((ref) => ref.deref() !== undefined).length;
  // A WeakRef keeps its target until the current job ends: collect between macrotasks.
  for (let i = 0; i < 5 && alive() > 0; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
  }
  return alive();
}

/** A handler holding `kb` KB of its own, and a WeakRef to it; `calls` counts its calls. */
function bigHandler(kb = 1) {
  const payload = new Uint8Array(kb * 1024);
  const calls = { n: 0 };
  const handler = (_event: unknown) => {
    calls.n += payload.length > 0 ? 1 : 0;
  };
  return { handler, ref: new WeakRef(handler), calls };
}

const poller = () => track(createPoller({ visibility: false, online: false }));

// Handlers are made in plain functions: a suspended async test could hold the last one in its
// frame, which would be a reference of the test's own.

/** `count` on()/off() pairs on `p`, removed three ways in turn; WeakRefs to the handlers. */
function onOffPairs(p: ReturnType<typeof poller>, count: number): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < count; i++) {
    const { handler, ref } = bigHandler(i % 100 === 0 ? 50 : 1);
    refs.push(ref);
    const type = (['data', 'error', 'skip', 'request'] as const)[i % 4] as keyof PollerEvents;
    const unsubscribe = p.on(type, handler);
    if (i % 3 === 0) unsubscribe();
    else if (i % 3 === 1) p.off(type, handler);
    else p.off(type);
  }
  return refs;
}

/** `count` handlers subscribed to `skip` on `bus` and left there. */
function subscribed(bus: ReturnType<typeof createEventBus>, count: number): WeakRef<object>[] {
  const refs: WeakRef<object>[] = [];
  for (let i = 0; i < count; i++) {
    const { handler, ref } = bigHandler();
    bus.on('skip', handler);
    refs.push(ref);
  }
  return refs;
}

/**
 * One handler on `data` and `error`, then off `data`; returns a WeakRef to it, its calls, and
 * its last unsubscribe in an array the test empties (a closure over the handler).
 */
function onTwoTypes(bus: ReturnType<typeof createEventBus>) {
  const { handler, ref, calls } = bigHandler();
  bus.on('data', handler);
  const offError = bus.on('error', handler);
  bus.off('data', handler);
  return { ref, calls, unsubscribe: [offError] };
}

describe('on()/off() pairs retain nothing', () => {
  it('2,000 pairs through poller.on/off, the returned unsubscribe and off(type): all collected', async () => {
    const p = poller();
    const refs = onOffPairs(p, 2000);
    expect(p.inspect().eventListeners).toBe(0);
    expect(await retained(refs)).toBe(0);
  });

  it('one handler on two types stays until it is off both, then is collected', async () => {
    const bus = createEventBus();
    const { ref, calls, unsubscribe } = onTwoTypes(bus);
    expect(await retained([ref])).toBe(1);
    bus.emit('error', { key: undefined, origin: 'http://a.test', error: 1, source: 'poll' });
    expect(calls.n).toBe(1);
    unsubscribe.pop()?.();
    expect(bus.listenerCount()).toBe(0);
    expect(await retained([ref])).toBe(0);
  });

  it('control: a handler still subscribed is retained (the probe sees a reference)', async () => {
    const bus = createEventBus();
    const refs = subscribed(bus, 10);
    expect(await retained(refs)).toBe(10);
    expect(bus.listenerCount()).toBe(10);
    bus.clear();
    expect(await retained(refs)).toBe(0);
  });
});

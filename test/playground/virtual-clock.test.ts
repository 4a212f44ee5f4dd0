import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';

describe('VirtualClock', () => {
  it('fires timers in due-time order, each at its own virtual time, FIFO on ties', async () => {
    const clock = new VirtualClock(1000);
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now()}`);
    clock.setTimeout(at('c'), 300);
    clock.setTimeout(at('a'), 100);
    clock.setTimeout(at('b1'), 200);
    clock.setTimeout(at('b2'), 200);
    clock.setTimeout(at('zero'), 0);
    clock.setTimeout(at('negative'), -5);

    expect(clock.pending).toBe(6);
    await clock.runUntil(1250);

    expect(fired).toEqual(['zero@1000', 'negative@1000', 'a@1100', 'b1@1200', 'b2@1200']);
    expect(clock.now()).toBe(1250);
    expect(clock.pending).toBe(1);
    expect(clock.nextAt()).toBe(1300);
  });

  it('orders thousands of random timers like a sort (heap invariant)', async () => {
    const clock = new VirtualClock(0);
    const delays = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 1009);
    const fired: number[] = [];
    for (const d of delays) clock.setTimeout(() => fired.push(clock.now()), d);
    await clock.runUntil(2000);
    expect(fired).toEqual([...delays].sort((a, b) => a - b));
  });

  it('fires timers scheduled while running when they fall in range', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 0);
      clock.setTimeout(() => fired.push(clock.now()), 40);
      clock.setTimeout(() => fired.push(clock.now()), 500);
    }, 10);
    await clock.runUntil(100);
    expect(fired).toEqual([10, 10, 50]);
    await clock.runUntil(510);
    expect(fired).toEqual([10, 10, 50, 510]);
  });

  it('clearTimeout cancels a timer, also from a callback due at the same instant', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const cancelled = clock.setTimeout(() => fired.push('cancelled'), 100);
    let sameTime: unknown;
    clock.setTimeout(() => {
      fired.push('first');
      clock.clearTimeout(sameTime);
    }, 200);
    sameTime = clock.setTimeout(() => fired.push('same-time'), 200);
    clock.setTimeout(() => fired.push('kept'), 300);
    clock.clearTimeout(cancelled);
    clock.clearTimeout(12345); // unknown handles are ignored

    expect(clock.pending).toBe(3);
    await clock.runUntil(1000);
    expect(fired).toEqual(['first', 'kept']);
    expect(clock.pending).toBe(0);
  });

  it('setInterval repeats every period until clearInterval, also from inside its callback', async () => {
    const clock = new VirtualClock(0);
    const ticks: number[] = [];
    const other: number[] = [];
    const handle = clock.setInterval(() => {
      ticks.push(clock.now());
      if (ticks.length === 4) clock.clearInterval(handle);
    }, 250);
    const forever = clock.setInterval(() => other.push(clock.now()), 400);

    await clock.runUntil(5000);
    expect(ticks).toEqual([250, 500, 750, 1000]);
    expect(other).toHaveLength(12);
    expect(other.slice(0, 3)).toEqual([400, 800, 1200]);
    expect(clock.pending).toBe(1);

    clock.clearInterval(forever);
    await clock.runUntil(10_000);
    expect(other).toHaveLength(12);
    expect(clock.pending).toBe(0);
  });

  it('runUntil with inclusive: false leaves timers due exactly at the target pending', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setInterval(() => fired.push(clock.now()), 1000);
    await clock.runUntil(3000, { inclusive: false });
    expect(fired).toEqual([1000, 2000]);
    expect(clock.now()).toBe(3000);
    await clock.advanceBy(0);
    expect(fired).toEqual([1000, 2000, 3000]);
  });

  it('drains promise chains between timers, so async work sees the virtual time it runs at', async () => {
    const clock = new VirtualClock(0);
    const seen: Array<[string, number]> = [];
    // A response delivered by a timer at 50 ms, read through an async body parse (undici).
    const response = new Promise<Response>((resolve) =>
      clock.setTimeout(() => resolve(Response.json({ ok: true })), 50),
    );
    void (async () => {
      const body = (await (await response).json()) as { ok: boolean };
      seen.push([`parsed ${body.ok}`, clock.now()]);
      // A follow-up timer armed by async code lands relative to 50, not to a later instant.
      await new Promise<void>((resolve) => clock.setTimeout(resolve, 20));
      seen.push(['follow-up', clock.now()]);
    })();
    clock.setTimeout(() => seen.push(['late timer', clock.now()]), 1000);

    await clock.runUntil(2000);
    expect(seen).toEqual([
      ['parsed true', 50],
      ['follow-up', 70],
      ['late timer', 1000],
    ]);
  });

  it('runs promise reactions between two callbacks due at the same instant, as browsers do', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    let resolve!: () => void;
    const gate = new Promise<void>((r) => {
      resolve = r;
    });
    void gate.then(() => log.push('reaction'));
    clock.setTimeout(() => {
      log.push('first');
      resolve();
    }, 100);
    clock.setTimeout(() => log.push('second'), 100);
    await clock.runUntil(100);
    expect(log).toEqual(['first', 'reaction', 'second']);
  });

  it('keeps firing after a callback throws, then rejects runUntil with the error', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => fired.push(clock.now()), 20);
    await expect(clock.runUntil(100)).rejects.toThrow('boom');
    expect(fired).toEqual([20]);
    expect(clock.now()).toBe(100);
  });

  it('refuses to go back in time', async () => {
    const clock = new VirtualClock(500);
    await expect(clock.runUntil(499)).rejects.toThrow(RangeError);
  });
});

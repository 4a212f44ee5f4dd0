// The door's deadlines share one timer: they expire in the order they started, a stopped one
// never fires, and no timer is left once nothing is timed.
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/transport/deadlines.js';
import { manualClock } from '../support/clock.js';

describe('Deadlines', () => {
  it('expires each deadline once, in order, on one timer; a stopped one never fires', async () => {
    const clock = manualClock({ settle: async () => {} });
    const deadlines = new Deadlines(clock, 100);
    const fired: string[] = [];
    deadlines.start(() => fired.push('a'));
    await clock.advance(30);
    const stopB = deadlines.start(() => fired.push('b'));
    await clock.advance(30);
    deadlines.start(() => fired.push('c'));
    expect(clock.pending).toBe(1);
    stopB();
    await clock.advance(40); // t=100: a
    expect(fired).toEqual(['a']);
    expect(clock.dueTimes).toEqual([clock.now() + 60]); // the timer moved on to c
    await clock.advance(60); // t=160: c (b was stopped)
    expect(fired).toEqual(['a', 'c']);
    expect(clock.pending).toBe(0);
  });

  it('no timer lingers after the last deadline stops; an expiry may start the next one', async () => {
    const clock = manualClock({ settle: async () => {} });
    const deadlines = new Deadlines(clock, 50);
    const stop = deadlines.start(() => {});
    expect(clock.pending).toBe(1);
    stop();
    stop(); // twice is harmless
    expect(clock.pending).toBe(0);
    const fired: number[] = [];
    deadlines.start(() => {
      fired.push(clock.elapsed());
      if (fired.length < 3) deadlines.start(() => fired.push(clock.elapsed()));
    });
    await clock.advance(200);
    expect(fired).toEqual([50, 100]);
    expect(clock.pending).toBe(0);
  });
});

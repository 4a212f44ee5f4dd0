import { describe, expect, it } from 'vitest';
import { StalenessTracker } from '../../playground/sim/staleness.js';
import { VirtualClock } from '../../playground/sim/virtual-clock.js';
import { hiddenBetween } from '../../playground/sim/visibility-script.js';

describe('StalenessTracker', () => {
  it('integrates data age over visible spans only, counting empty tiles from opening', () => {
    const tracker = new StalenessTracker(2, 0);
    // Item 0 refreshed every 10 s: its age is a sawtooth 0→10 s, mean 5 s.
    for (let t = 0; t <= 100_000; t += 10_000) tracker.refreshed(0, t);
    // Item 1 never gets data: its age at t is t.
    const report = tracker.report([[0, 100_000]]);
    expect(report.neverUpdated).toBe(1);
    // (5 s + mean of t over [0, 100 s] = 50 s) / 2 items
    expect(report.meanMs).toBe(27_500);
    expect(report.maxMs).toBe(100_000);
  });

  it('carries the age of the last refresh into a visible span that follows a hidden one', () => {
    const tracker = new StalenessTracker(1, 0);
    tracker.refreshed(0, 0);
    tracker.refreshed(0, 30_000); // refreshed once more while visible
    // Visible [0, 40 s) and [100 s, 110 s): the second span starts 70 s after the last refresh.
    const report = tracker.report([
      [0, 40_000],
      [100_000, 110_000],
    ]);
    // ∫ over [0,30] of t = 450; over [30,40] of (t−30) = 50; over [100,110] of (t−30) = 750.
    expect(report.meanMs).toBeCloseTo(((450 + 50 + 750) / 50) * 1000, 6);
    expect(report.maxMs).toBe(80_000);
    expect(report.neverUpdated).toBe(0);
  });
});

describe('scripted visibility', () => {
  it('flips at the scripted virtual times, notifies listeners, and reports visible spans', async () => {
    const clock = new VirtualClock(0);
    const script = hiddenBetween(clock, 240_000, 420_000);
    const changes: Array<[boolean, number]> = [];
    script.source.subscribe((visible) => changes.push([visible, clock.now()]));
    expect(script.source.isVisible()).toBe(true);
    await clock.runUntil(300_000);
    expect(script.source.isVisible()).toBe(false);
    await clock.runUntil(600_000);
    expect(changes).toEqual([
      [false, 240_000],
      [true, 420_000],
    ]);
    expect(script.visibleSpans(600_000)).toEqual([
      [0, 240_000],
      [420_000, 600_000],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { ageQuantile, StalenessTracker } from '../../playground/sim/staleness.js';
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

describe('StalenessTracker: data age and its 95th percentile', () => {
  it('counts the age from when the data was produced, and gives the exact p95 of a hand-computed case', () => {
    const tracker = new StalenessTracker(2, 0);
    // Item 0: data of 0 s at 0 s, then data produced at 5 s arriving at 6 s.
    tracker.refreshed(0, 0, 0);
    tracker.refreshed(0, 6_000, 5_000);
    // Item 1: data of 0 s at 0 s, never again.
    tracker.refreshed(1, 0, 0);
    const report = tracker.report([[0, 10_000]]);
    // Item 0's age: 0 → 6 s, then 1 s → 5 s; item 1's: 0 → 10 s.
    // Mean: (6²/2 + (5² − 1²)/2 + 10²/2) s² / 20 s = (18 + 12 + 50) / 20 = 4 s.
    expect(report.meanMs).toBe(4_000);
    expect(report.maxMs).toBe(10_000);
    // 5 % of 20 item-seconds is 1 s: only item 1 is older than 6 s, for 10 − x seconds above
    // age x: 10 − x = 1 → x = 9 s.
    expect(report.p95Ms).toBe(9_000);
    expect(report.neverUpdated).toBe(0);
  });

  it('ageQuantile solves across segments: p75 of the same case is 5.5 s', () => {
    // Time above x for 5 ≤ x ≤ 6 s: item 1 (10 − x) + item 0's first stretch (6 − x) = 5 s.
    const segments = [
      { from: 0, to: 6_000 },
      { from: 1_000, to: 5_000 },
      { from: 0, to: 10_000 },
    ];
    expect(ageQuantile(segments, 0.75)).toBe(5_500);
    expect(ageQuantile(segments, 0.95)).toBe(9_000);
    expect(ageQuantile(segments, 1)).toBe(10_000);
    expect(ageQuantile([], 0.95)).toBe(0);
  });

  it('a constant age over a span (a long hidden stretch) is a step of the distribution', () => {
    // One item refreshed at 0, visible [0, 1 s) and [100 s, 101 s): ages 0 → 1 s and 100 → 101 s.
    const tracker = new StalenessTracker(1, 0);
    tracker.refreshed(0, 0);
    const report = tracker.report([
      [0, 1_000],
      [100_000, 101_000],
    ]);
    expect(report.meanMs).toBe(50_500);
    // 5 % of 2 s = 0.1 s above x: x = 100.9 s (floating point: within a microsecond).
    expect(report.p95Ms).toBeCloseTo(100_900, 3);
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

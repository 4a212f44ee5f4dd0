import { describe, expect, it } from 'vitest';
import { backoffCeiling, fullJitterBackoff } from '../../src/scheduler/backoff.js';

const settings = { baseMs: 1000, capMs: 30_000 };

describe('backoffCeiling', () => {
  it('is 0 before any failure', () => {
    expect(backoffCeiling(settings, 0)).toBe(0);
    expect(backoffCeiling(settings, -3)).toBe(0);
  });

  it('doubles from baseMs per failure and stops at capMs', () => {
    const ladder = [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(settings, n));
    expect(ladder).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('stays at the cap, finite, after a huge number of failures', () => {
    expect(backoffCeiling(settings, 1e9)).toBe(30_000);
    expect(backoffCeiling({ baseMs: 250, capMs: 5000 }, 2000)).toBe(5000);
  });

  it('uses custom settings', () => {
    const custom = { baseMs: 300, capMs: 1000 };
    expect([1, 2, 3, 4].map((n) => backoffCeiling(custom, n))).toEqual([300, 600, 1000, 1000]);
  });
});

describe('fullJitterBackoff', () => {
  it('is random() times the ceiling (full jitter)', () => {
    expect(fullJitterBackoff(settings, 3, () => 0.5)).toBe(2000);
    expect(fullJitterBackoff(settings, 6, () => 0.25)).toBe(7500);
  });

  it('can be 0 (random 0) and reaches the ceiling at random 1', () => {
    expect(fullJitterBackoff(settings, 5, () => 0)).toBe(0);
    expect(fullJitterBackoff(settings, 5, () => 1)).toBe(16_000);
  });

  it('is 0 with no failures, whatever the random value', () => {
    expect(fullJitterBackoff(settings, 0, () => 0.9)).toBe(0);
  });
});

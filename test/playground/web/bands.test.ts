import { describe, expect, it } from 'vitest';
import { BandLog } from '../../../playground/web/bands.js';

const T0 = 1_700_000_000_000;
const O = 'http://127.0.0.1:5174';
const P = 'http://127.0.0.1:5173';

describe('BandLog', () => {
  it('open() starts a band that lasts until close()', () => {
    const log = new BandLog();
    log.open('breaker', O, T0);
    expect(log.since(T0)).toEqual([{ kind: 'breaker', origin: O, from: T0 }]);
    log.close('breaker', O, T0 + 5000);
    expect(log.since(T0)).toEqual([{ kind: 'breaker', origin: O, from: T0, to: T0 + 5000 }]);
  });

  it('open() of a band already open does nothing; close() of none does nothing', () => {
    const log = new BandLog();
    log.close('paced', O, T0);
    expect(log.since(0)).toEqual([]);
    log.open('paced', O, T0);
    log.open('paced', O, T0 + 100);
    log.close('paced', O, T0 + 200);
    log.close('paced', O, T0 + 300);
    expect(log.since(0)).toEqual([{ kind: 'paced', origin: O, from: T0, to: T0 + 200 }]);
  });

  it('keeps kinds and origins apart', () => {
    const log = new BandLog();
    log.open('paced', O, T0);
    log.open('paced', P, T0 + 1);
    log.open('breaker', O, T0 + 2);
    log.open('hidden', '', T0 + 3);
    log.close('paced', O, T0 + 10);
    expect(log.since(0)).toEqual([
      { kind: 'paced', origin: O, from: T0, to: T0 + 10 },
      { kind: 'paced', origin: P, from: T0 + 1 },
      { kind: 'breaker', origin: O, from: T0 + 2 },
      { kind: 'hidden', origin: '', from: T0 + 3 },
    ]);
  });

  it('a band opened again after it closed is a new band', () => {
    const log = new BandLog();
    log.open('hidden', '', T0);
    log.close('hidden', '', T0 + 10);
    log.open('hidden', '', T0 + 20);
    expect(log.since(0)).toEqual([
      { kind: 'hidden', origin: '', from: T0, to: T0 + 10 },
      { kind: 'hidden', origin: '', from: T0 + 20 },
    ]);
  });

  it('span() adds a band with a known end', () => {
    const log = new BandLog();
    log.span('cooldown', O, T0, T0 + 30_000);
    expect(log.since(0)).toEqual([{ kind: 'cooldown', origin: O, from: T0, to: T0 + 30_000 }]);
  });

  it('span() that overlaps or touches the last of its kind extends it, never shortens it', () => {
    const log = new BandLog();
    log.span('cooldown', O, T0, T0 + 10_000);
    log.span('cooldown', O, T0 + 5000, T0 + 20_000); // overlaps: extends
    log.span('cooldown', O, T0 + 20_000, T0 + 25_000); // touches: extends
    log.span('cooldown', O, T0 + 21_000, T0 + 22_000); // inside: no change
    expect(log.since(0)).toEqual([{ kind: 'cooldown', origin: O, from: T0, to: T0 + 25_000 }]);
  });

  it('span() after a gap starts a new band; other origins keep their own', () => {
    const log = new BandLog();
    log.span('cooldown', O, T0, T0 + 10_000);
    log.span('cooldown', P, T0 + 5000, T0 + 6000);
    log.span('cooldown', O, T0 + 10_001, T0 + 12_000);
    expect(log.since(0)).toEqual([
      { kind: 'cooldown', origin: O, from: T0, to: T0 + 10_000 },
      { kind: 'cooldown', origin: P, from: T0 + 5000, to: T0 + 6000 },
      { kind: 'cooldown', origin: O, from: T0 + 10_001, to: T0 + 12_000 },
    ]);
  });

  it('since(t) gives the bands that end at or after t, and the open ones', () => {
    const log = new BandLog();
    log.span('cooldown', O, T0, T0 + 1000);
    log.span('cooldown', O, T0 + 5000, T0 + 6000);
    log.open('breaker', O, T0);
    expect(log.since(T0 + 1000).map((b) => [b.kind, b.from])).toEqual([
      ['cooldown', T0],
      ['cooldown', T0 + 5000],
      ['breaker', T0],
    ]);
    expect(log.since(T0 + 1001).map((b) => [b.kind, b.from])).toEqual([
      ['cooldown', T0 + 5000],
      ['breaker', T0],
    ]);
  });

  it('forgets closed bands that ended more than 5 min before a new band starts', () => {
    const log = new BandLog();
    log.span('cooldown', O, T0, T0 + 1000);
    log.span('cooldown', P, T0, T0 + 2000);
    log.open('paced', O, T0 + 301_000); // T0 + 1000 is exactly 5 min before: kept
    expect(log.since(0)).toHaveLength(3);
    log.open('breaker', O, T0 + 301_001);
    expect(log.since(0).map((b) => [b.kind, b.origin])).toEqual([
      ['cooldown', P],
      ['paced', O],
      ['breaker', O],
    ]);
  });

  it('forgets old closed bands also behind a band that is still open', () => {
    const log = new BandLog();
    log.open('hidden', '', T0);
    log.span('cooldown', O, T0, T0 + 1000);
    log.open('paced', O, T0 + 301_001);
    expect(log.since(0).map((b) => b.kind)).toEqual(['hidden', 'paced']);
  });

  it('uses Date.now() when no time is given', () => {
    const log = new BandLog();
    const before = Date.now();
    log.open('hidden', '');
    log.close('hidden', '');
    const [band] = log.since(0);
    expect(band!.from).toBeGreaterThanOrEqual(before);
    expect(band!.to).toBeGreaterThanOrEqual(band!.from);
    expect(band!.to).toBeLessThanOrEqual(Date.now());
  });
});

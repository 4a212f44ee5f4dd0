import { describe, expect, it } from 'vitest';
import {
  checkedConfig,
  DEFAULT_CONFIG,
  type PageConfig,
  readConfig,
  writeConfig,
} from '../../../playground/web/config.js';

describe('readConfig', () => {
  it('gives the defaults for an empty query', () => {
    expect(readConfig('')).toEqual(DEFAULT_CONFIG);
    expect(readConfig('?')).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG).toEqual({
      items: 48,
      interval: 1000,
      batchSize: 64,
      api: 'same',
      naive: true,
      summaryEvery: 2000,
    });
  });

  it('reads every field, with or without the leading ?', () => {
    const expected: PageConfig = {
      items: 100,
      interval: 500,
      batchSize: 16,
      api: 'cross',
      naive: false,
      summaryEvery: 0,
    };
    const query = 'items=100&interval=500&batchSize=16&api=cross&naive=0&summaryEvery=0';
    expect(readConfig(`?${query}`)).toEqual(expected);
    expect(readConfig(query)).toEqual(expected);
  });

  it.each([
    ['items', 1, 256],
    ['interval', 100, 60_000],
    ['batchSize', 1, 64],
    ['summaryEvery', 0, 60_000],
  ] as const)(
    'accepts %s at its bounds %d and %d, and keeps the default just outside',
    (name, min, max) => {
      expect(readConfig(`?${name}=${min}`)[name]).toBe(min);
      expect(readConfig(`?${name}=${max}`)[name]).toBe(max);
      expect(readConfig(`?${name}=${min - 1}`)[name]).toBe(DEFAULT_CONFIG[name]);
      expect(readConfig(`?${name}=${max + 1}`)[name]).toBe(DEFAULT_CONFIG[name]);
    },
  );

  it.each(['1.5', 'abc', 'NaN', 'Infinity', '-5'])(
    'keeps the default for a number that is not a whole number in range: items=%s',
    (raw) => {
      expect(readConfig(`?items=${raw}`).items).toBe(48);
    },
  );

  it('keeps the defaults for unknown api and naive values', () => {
    for (const query of ['api=CROSS', 'api=other', 'naive=true', 'naive=yes', 'naive=']) {
      const config = readConfig(`?${query}`);
      expect(config.api).toBe('same');
      expect(config.naive).toBe(true);
    }
    expect(readConfig('?naive=1&api=same')).toEqual(DEFAULT_CONFIG);
  });

  it('ignores unknown parameters, and a bad field leaves the others alone', () => {
    expect(readConfig('?foo=1&items=999&interval=2000')).toEqual({
      ...DEFAULT_CONFIG,
      interval: 2000,
    });
  });

  it('takes the first of a repeated parameter', () => {
    expect(readConfig('?items=5&items=7').items).toBe(5);
  });

  // `Number('')` is 0, and for summaryEvery 0 means "never": an empty value (cleared by hand in
  // the address bar) must keep the default, as any value that is not a number does.
  it('keeps the default for an empty value: summaryEvery=', () => {
    expect(readConfig('?summaryEvery=').summaryEvery).toBe(2000);
  });
});

describe('writeConfig', () => {
  it('writes nothing for the defaults', () => {
    expect(writeConfig({ ...DEFAULT_CONFIG })).toBe('');
  });

  it('writes only what differs from the defaults, booleans as 0/1', () => {
    expect(writeConfig({ ...DEFAULT_CONFIG, items: 10, naive: false })).toBe('?items=10&naive=0');
    expect(writeConfig({ ...DEFAULT_CONFIG, api: 'cross', summaryEvery: 0 })).toBe(
      '?api=cross&summaryEvery=0',
    );
  });

  it.each<Partial<PageConfig>>([
    {},
    { items: 1, interval: 100, batchSize: 1, summaryEvery: 0 },
    { items: 256, interval: 60_000, batchSize: 64, summaryEvery: 60_000 },
    { api: 'cross', naive: false },
    { naive: true, api: 'same', items: 77 },
  ])('round-trips through readConfig: %j', (patch) => {
    const config: PageConfig = { ...DEFAULT_CONFIG, ...patch };
    expect(readConfig(writeConfig(config))).toEqual(config);
  });
});

describe('checkedConfig (the controls restart through it)', () => {
  const current: PageConfig = { ...DEFAULT_CONFIG, items: 10, interval: 2000 };

  it('keeps the current value for a number out of range, NaN (an emptied input) or not an integer', () => {
    expect(
      checkedConfig(
        { ...current, items: 500, interval: Number.NaN, batchSize: 100, summaryEvery: 1.5 },
        current,
      ),
    ).toEqual(current);
  });

  it('takes values within range, and refuses an unknown api', () => {
    const next = checkedConfig(
      { ...current, items: 256, interval: 100, batchSize: 1, api: 'elsewhere' as never },
      current,
    );
    expect(next).toEqual({ ...current, items: 256, interval: 100, batchSize: 1 });
  });
});

import { describe, expect, it } from 'vitest';
import {
  type BackendSettings,
  DEFAULT_SETTINGS,
  mergeSettings,
} from '../../../playground/server/settings.js';

const current = (): BackendSettings => ({ ...DEFAULT_SETTINGS });

describe('mergeSettings', () => {
  it('returns a copy with the patched fields and leaves the current settings alone', () => {
    const before = current();
    const next = mergeSettings(before, {
      batchEndpoint: false,
      limitPerMinute: 1,
      latencyMs: 0,
      errorRate: 1,
      exposeRetryAfter: false,
      rateLimitHeaders: true,
    });
    expect(next).toEqual({
      batchEndpoint: false,
      limitPerMinute: 1,
      latencyMs: 0,
      errorRate: 1,
      exposeRetryAfter: false,
      rateLimitHeaders: true,
    });
    expect(next).not.toBe(before);
    expect(before).toEqual(DEFAULT_SETTINGS);
  });

  it('keeps the fields a patch leaves out, and an empty patch is a plain copy', () => {
    expect(mergeSettings(current(), { latencyMs: 250 })).toEqual({
      ...DEFAULT_SETTINGS,
      latencyMs: 250,
    });
    expect(mergeSettings(current(), {})).toEqual(DEFAULT_SETTINGS);
  });

  it('accepts the bounds of every range', () => {
    const patch = (p: Partial<BackendSettings>) => mergeSettings(current(), p);
    expect(patch({ limitPerMinute: 100_000 }).limitPerMinute).toBe(100_000);
    expect(patch({ latencyMs: 10_000 }).latencyMs).toBe(10_000);
    expect(patch({ errorRate: 0 }).errorRate).toBe(0);
    expect(patch({ errorRate: 0.25 }).errorRate).toBe(0.25);
  });

  it.each([
    ['limitPerMinute', 0, 'limitPerMinute: bad value 0'],
    ['limitPerMinute', 100_001, 'limitPerMinute: bad value 100001'],
    ['limitPerMinute', 1.5, 'limitPerMinute: bad value 1.5'],
    ['limitPerMinute', '120', 'limitPerMinute: bad value "120"'],
    ['latencyMs', -1, 'latencyMs: bad value -1'],
    ['latencyMs', 10_001, 'latencyMs: bad value 10001'],
    ['latencyMs', 2.5, 'latencyMs: bad value 2.5'],
    ['errorRate', -0.01, 'errorRate: bad value -0.01'],
    ['errorRate', 1.01, 'errorRate: bad value 1.01'],
    ['errorRate', '0.5', 'errorRate: bad value "0.5"'],
    ['errorRate', null, 'errorRate: bad value null'],
    ['batchEndpoint', 'true', 'batchEndpoint: bad value "true"'],
    ['exposeRetryAfter', 1, 'exposeRetryAfter: bad value 1'],
    ['rateLimitHeaders', 'draft-11', 'rateLimitHeaders: bad value "draft-11"'],
  ])('rejects %s = %j, naming the setting and the value', (name, value, message) => {
    const before = current();
    expect(() => mergeSettings(before, { [name]: value })).toThrow(new TypeError(message));
    expect(before).toEqual(DEFAULT_SETTINGS);
  });

  it('rejects an unknown setting by name', () => {
    expect(() => mergeSettings(current(), { limit: 5 })).toThrow(
      new TypeError('unknown setting "limit"'),
    );
  });

  it('throws on the first bad field of a patch, after good ones, and changes nothing', () => {
    const before = current();
    expect(() => mergeSettings(before, { latencyMs: 5, errorRate: 2, bogus: 1 })).toThrow(
      'errorRate: bad value 2',
    );
    expect(() => mergeSettings(before, { latencyMs: 5, bogus: 1, errorRate: 2 })).toThrow(
      'unknown setting "bogus"',
    );
    expect(before).toEqual(DEFAULT_SETTINGS);
  });

  it.each([
    [null, 'settings must be an object, got null'],
    [[], 'settings must be an object, got []'],
    [5, 'settings must be an object, got 5'],
    ['limitPerMinute=5', 'settings must be an object, got "limitPerMinute=5"'],
    [undefined, 'settings must be an object, got undefined'],
  ])('rejects a patch that is not an object: %j', (patch, message) => {
    expect(() => mergeSettings(current(), patch)).toThrow(new TypeError(message));
  });

  // Names CHECKS inherits from Object.prototype are unknown settings too (`constructor` and
  // `toString` used to pass as checks, so `POST /__playground/settings {"constructor":1}` was a 200).
  it.each(['constructor', 'toString'])(
    'rejects the inherited name %s as an unknown setting',
    (name) => {
      expect(() => mergeSettings(current(), { [name]: 1 })).toThrow(`unknown setting "${name}"`);
    },
  );

  // JSON.stringify writes NaN as `null`: the message must name the value that was passed.
  it('names NaN as NaN in the message', () => {
    expect(() => mergeSettings(current(), { latencyMs: Number.NaN })).toThrow(
      'latencyMs: bad value NaN',
    );
  });
});

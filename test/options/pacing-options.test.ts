// `pacing` of createPoller() (issue 9; the lead wires what it does in poller-settings.ts).
// Each bad value is one InvalidOptionsError issue naming the option's path and the very value.
import { describe, expect, it } from 'vitest';
import { localPoller, oneIssue, optionIssues, refusedOptions } from '../support/option-issues.js';
import { track } from '../support/poller.js';

const MAX = 2 ** 31 - 1;
const create = localPoller;

describe('createPoller({ pacing })', () => {
  const bad: [string, unknown[]][] = [
    ['reserve', [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, 2 ** 53]],
    ['discoverMs', [-1, MAX + 1, Number.NaN, '60000', true]],
    ['assumedWindowMs', [0, -1, MAX + 1, Number.POSITIVE_INFINITY, {}]],
    ['resetMarginMs', [-0.5, MAX + 1, Number.NaN, []]],
    ['probeEvery', [0, -1, 1.5, Number.NaN, '10']],
  ];

  it.each(bad)('pacing.%s: every bad value is named with its path and value', (field, values) => {
    for (const value of values) {
      const [option, got] = oneIssue(() => create({ pacing: { [field]: value } }));
      expect(option, String(value)).toBe(`pacing.${field}`);
      expect(Object.is(got, value)).toBe(true);
    }
  });

  it('pacing itself must be false or an object of known settings', () => {
    for (const value of [true, 1, 'on', null, [], new Date(0)]) {
      expect(oneIssue(() => create({ pacing: value }))).toEqual(['pacing', value]);
    }
    expect(oneIssue(() => create({ pacing: { budget: 5 } }))).toEqual(['pacing.budget', 5]);
    const issues = optionIssues(() => create({ pacing: { reserve: -1, probeEvery: 0 } }));
    expect(issues.map((i) => i.option)).toEqual(['pacing.reserve', 'pacing.probeEvery']);
    expect(optionIssues(() => create({ pacing: { discoverMs: MAX + 1 } }))[0]?.message).toBe(
      `must be a number of milliseconds, 0 or more, at most ${MAX}`,
    );
  });

  it('accepts false, {}, and every setting at its edges', () => {
    const accepted: unknown[] = [
      false,
      {},
      { reserve: 0, discoverMs: 0, assumedWindowMs: 1, resetMarginMs: 0, probeEvery: 1 },
      { reserve: 100, discoverMs: MAX, assumedWindowMs: MAX, resetMarginMs: MAX, probeEvery: 1e6 },
      { reserve: undefined },
    ];
    for (const pacing of accepted) {
      expect(
        refusedOptions(() => track(create({ pacing }))),
        JSON.stringify(pacing),
      ).toBeNull();
    }
  });
});

// poll()'s adaptive options: `stretch`, and `interval` as a function of the snapshot.
// Each bad value is one InvalidOptionsError issue naming the option's path and the very value.
import { describe, expect, it } from 'vitest';
import { localPoller, oneIssue, optionIssues, refusedOptions } from '../support/option-issues.js';
import { track } from '../support/poller.js';

const MAX = 2 ** 31 - 1;
const create = localPoller;

describe('poll({ stretch, interval })', () => {
  const poller = () => track(create({ baseUrl: 'https://app.test/' }));

  it('stretch: true, false or { factor, maxMs }', () => {
    const p = poller();
    for (const value of [1, 'yes', null, [], () => true]) {
      expect(oneIssue(() => p.poll('/x', { stretch: value as never }))).toEqual([
        'poll.stretch',
        value,
      ]);
    }
    expect(oneIssue(() => p.poll('/x', { stretch: { by: 2 } as never }))).toEqual([
      'poll.stretch.by',
      2,
    ]);
  });

  it('stretch.factor: a finite number above 1', () => {
    const p = poller();
    for (const factor of [1, 0.5, 0, -2, Number.NaN, Number.POSITIVE_INFINITY, '2']) {
      const [option, value] = oneIssue(() =>
        p.poll('/x', { stretch: { factor: factor as never } }),
      );
      expect(option).toBe('poll.stretch.factor');
      expect(Object.is(value, factor)).toBe(true);
    }
  });

  it('stretch.maxMs: a positive number of ms a timer can wait', () => {
    const p = poller();
    for (const maxMs of [0, -1, MAX + 1, Number.NaN, '60000']) {
      const [option, value] = oneIssue(() => p.poll('/x', { stretch: { maxMs: maxMs as never } }));
      expect(option).toBe('poll.stretch.maxMs');
      expect(Object.is(value, maxMs)).toBe(true);
    }
  });

  it('stretch.maxMs below the interval given with it is refused, naming both', () => {
    const p = poller();
    const issues = optionIssues(() => p.poll('/x', { interval: 5000, stretch: { maxMs: 4000 } }));
    expect(issues).toEqual([
      {
        option: 'poll.stretch.maxMs',
        value: 4000,
        message: 'must be at least poll.interval (5000)',
      },
    ]);
    // Equal is fine (nothing to stretch), and so is a default maxMs below a long interval.
    expect(
      refusedOptions(() => p.poll('/y', { interval: 5000, stretch: { maxMs: 5000 } })),
    ).toBeNull();
    expect(refusedOptions(() => p.poll('/z', { interval: 120_000, stretch: true }))).toBeNull();
  });

  it('every stretch problem at once', () => {
    const issues = optionIssues(() =>
      poller().poll('/x', { interval: 0, stretch: { factor: 1, maxMs: 0 } }),
    );
    expect(issues.map((i) => i.option)).toEqual([
      'poll.interval',
      'poll.stretch.factor',
      'poll.stretch.maxMs',
    ]);
  });

  it('accepts true, false, {}, settings at their edges, and undefined settings', () => {
    const p = poller();
    const accepted: unknown[] = [
      true,
      false,
      {},
      { factor: 1.0001 },
      { maxMs: MAX },
      { factor: 1e9, maxMs: 1 },
      { factor: undefined, maxMs: undefined },
    ];
    accepted.forEach((stretch, i) => {
      expect(refusedOptions(() => p.poll(`/s${i}`, { stretch: stretch as never }))).toBeNull();
    });
  });

  it('interval: a positive number of ms or a function; the message says both', () => {
    const p = poller();
    expect(refusedOptions(() => p.poll('/f', { interval: () => 1000 }))).toBeNull();
    for (const interval of [0, -1, Number.NaN, '1000', null]) {
      const issues = optionIssues(() => p.poll('/x', { interval: interval as never }));
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ option: 'poll.interval' });
      expect(Object.is(issues[0]!.value, interval)).toBe(true);
      expect(issues[0]!.message).toBe(
        'must be a positive number of milliseconds, or a function returning one',
      );
    }
  });

  it('task polls take both options too', () => {
    const p = poller();
    const task = async () => 1;
    expect(
      refusedOptions(() =>
        p.poll(task, { origin: 'https://a.test', interval: () => 500, stretch: true }),
      ),
    ).toBeNull();
    expect(
      oneIssue(() => p.poll(task, { origin: 'https://a.test', stretch: { factor: 1 } })),
    ).toEqual(['poll.stretch.factor', 1]);
  });
});

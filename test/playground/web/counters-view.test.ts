import { describe, expect, it } from 'vitest';
import {
  countersHtml,
  naiveCounters,
  pollwiseCounters,
} from '../../../playground/web/counters-view.js';
import type { BudgetView } from '../../../src/pacing/pacer.js';
import { createStats } from '../../../src/stats.js';

const budget = (patch: Partial<BudgetView>): BudgetView => ({
  source: 'unknown',
  limit: undefined,
  remaining: undefined,
  resetAt: undefined,
  windowMs: undefined,
  inflight: 0,
  discovering: false,
  ...patch,
});

function stats(budgets: Record<string, BudgetView> = {}) {
  return {
    ...createStats(),
    sent: 12,
    rateLimited: 2,
    cooldowns: 1,
    refused: 3,
    batches: 9,
    itemRequests: 4,
    fallbacks: 1,
    paced: 6,
    skipped: { hidden: 5, offline: 0, paused: 0, cooldown: 0, breaker: 0, 'in-flight': 0 },
    budgets,
  };
}

describe('pollwiseCounters', () => {
  it("lists pollwise's stats, the server's count and the mean age, in order", () => {
    const extra = { meanAgeMs: 1234, serverCounted: 11, refusedAppCalls: 2 };
    expect(pollwiseCounters(stats(), extra).map(([name, value]) => [name, value])).toEqual([
      ['sent', 12],
      ['server counted', 11],
      ['429s', 2],
      ['cooldowns', 1],
      ['refused', 3],
      ['app calls refused', 2],
      ['batches', 9],
      ['per-item', 4],
      ['fallbacks', 1],
      ['skipped hidden', 5],
      ['paced', 6],
      ['budget', 'unknown'],
      ['mean age', '1.2 s'],
    ]);
  });

  it('shows … while the server count is not in yet', () => {
    const counters = pollwiseCounters(stats(), {
      meanAgeMs: 0,
      serverCounted: undefined,
      refusedAppCalls: 0,
    });
    expect(counters.find(([name]) => name === 'server counted')![1]).toBe('…');
  });

  it.each([
    [{}, 'unknown'],
    [{ o: budget({ source: 'unknown', discovering: true }) }, 'discovering'],
    [{ o: budget({ source: 'unknown' }) }, 'unknown'],
    [{ o: budget({ source: 'announced', limit: 120, remaining: 87 }) }, '87/120 (announced)'],
    [{ o: budget({ source: 'learned', limit: 60, remaining: 0 }) }, '0/60 (learned)'],
  ])('budget of %j reads %s', (budgets, text) => {
    const counters = pollwiseCounters(stats(budgets), {
      meanAgeMs: 0,
      serverCounted: 0,
      refusedAppCalls: 0,
    });
    expect(counters.find(([name]) => name === 'budget')![1]).toBe(text);
  });
});

describe('naiveCounters', () => {
  it('lists the wire totals, the server count and the mean age', () => {
    expect(
      naiveCounters(
        { sent: 30, ok: 20, rateLimited: 8, failed: 2 },
        { meanAgeMs: 15_000, serverCounted: undefined },
      ),
    ).toEqual([
      ['sent', 30],
      ['server counted', '…'],
      ['429s', 8],
      ['other failures', 2],
      ['ok', 20],
      ['mean age', '15.0 s'],
    ]);
  });
});

describe('countersHtml', () => {
  it('writes a div per counter with its name, value and title when it has one', () => {
    expect(
      countersHtml([
        ['sent', 3, 'requests on the wire'],
        ['ok', '2'],
      ]),
    ).toBe(
      '<div class="counter" data-counter="sent" title="requests on the wire"><dt>sent</dt><dd>3</dd></div>' +
        '<div class="counter" data-counter="ok"><dt>ok</dt><dd>2</dd></div>',
    );
    expect(countersHtml([])).toBe('');
  });
});

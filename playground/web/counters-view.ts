import type { Poller } from '../../src/index.js';

/** One line of a counters table: a name, a value, and what it means. */
export type Counter = [name: string, value: string | number, title?: string];

/** pollwise's own numbers from `poller.stats()`, and the server's count of its requests. */
export function pollwiseCounters(
  stats: ReturnType<Poller['stats']>,
  extra: { meanAgeMs: number; serverCounted: number | undefined; refusedAppCalls: number },
): Counter[] {
  const budget = Object.values(stats.budgets)[0];
  const budgetText =
    budget === undefined || budget.source === 'unknown'
      ? budget?.discovering
        ? 'discovering'
        : 'unknown'
      : `${budget.remaining}/${budget.limit} (${budget.source})`;
  return [
    ['sent', stats.sent, 'requests that reached the network (stats().sent)'],
    ['server counted', extra.serverCounted ?? '…', 'requests the backend counted from this client'],
    ['429s', stats.rateLimited],
    ['cooldowns', stats.cooldowns],
    ['refused', stats.refused, 'requests pollwise refused before the network'],
    [
      'app calls refused',
      extra.refusedAppCalls,
      'wrapped fetch calls refused in a cooldown or by an open breaker',
    ],
    ['batches', stats.batches],
    ['per-item', stats.itemRequests],
    ['fallbacks', stats.fallbacks],
    ['skipped hidden', stats.skipped.hidden, 'due polls skipped while the tab was hidden'],
    ['paced', stats.paced, 'times the budget held a poll back'],
    ['budget', budgetText],
    ['mean age', `${(extra.meanAgeMs / 1000).toFixed(1)} s`, 'mean age of the data on screen'],
  ];
}

/** The naive dashboard's numbers: what it sent and how that went. */
export function naiveCounters(
  totals: { sent: number; ok: number; rateLimited: number; failed: number },
  extra: { meanAgeMs: number; serverCounted: number | undefined },
): Counter[] {
  return [
    ['sent', totals.sent],
    ['server counted', extra.serverCounted ?? '…'],
    ['429s', totals.rateLimited],
    ['other failures', totals.failed],
    ['ok', totals.ok],
    ['mean age', `${(extra.meanAgeMs / 1000).toFixed(1)} s`],
  ];
}

export function countersHtml(counters: readonly Counter[]): string {
  return counters
    .map(
      ([name, value, title]) =>
        `<div class="counter" data-counter="${name}"${title ? ` title="${title}"` : ''}><dt>${name}</dt><dd>${value}</dd></div>`,
    )
    .join('');
}

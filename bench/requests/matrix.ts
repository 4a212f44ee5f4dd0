import type { DashboardClient } from '../../playground/clients/dashboard.js';
import { handTunedClient } from '../../playground/clients/hand-tuned-client.js';
import { naiveClient } from '../../playground/clients/naive-client.js';
import { pollwiseBatchedClient } from '../../playground/clients/pollwise-batched-client.js';
import { pollwiseClient } from '../../playground/clients/pollwise-client.js';
import { tanstackClient } from '../../playground/clients/tanstack-client.js';
import { defaultScenario, type Scenario } from '../../playground/scenario.js';

/** One server configuration of the matrix, run by every client with each seed. */
export interface BenchCase {
  /** Short id, e.g. `k200-batch-off-headers`; also the JSON key. */
  id: string;
  title: string;
  items: number;
  batchEndpoint: boolean;
  /** Whether 429s carry a Retry-After the page can read. */
  retryAfter: boolean;
  rateLimitHeaders: false | 'draft-11';
}

/** Which goals of issue 9 a case checks (besides 0 hidden and 0 inside a window, everywhere). */
export type CaseKind = 'batch-on' | 'retry-after' | 'headers' | 'no-retry-after';

export const kindOf = (c: BenchCase): CaseKind =>
  c.batchEndpoint
    ? 'batch-on'
    : c.rateLimitHeaders !== false
      ? 'headers'
      : c.retryAfter
        ? 'retry-after'
        : 'no-retry-after';

/**
 * K ∈ {200, 20} × four servers. Combinations left out, because they add nothing:
 * - batch route on with Retry-After hidden or with RateLimit headers: a client on the batch
 *   route sends ceil(K/64) requests per 2.5 s (96 a minute at K = 200), under the limit of 120,
 *   so it never meets a 429 or needs a header; the per-item clients repeat their batch-off rows.
 * - Retry-After hidden but RateLimit headers readable: a server that lists `RateLimit*` in
 *   `Access-Control-Expose-Headers` but not `Retry-After`; unusual, and no goal of issue 9.
 */
export const CASES: readonly BenchCase[] = [200, 20].flatMap((items) => [
  {
    id: `k${items}-batch-on`,
    title: `K = ${items}, batch route on (Retry-After readable, no RateLimit headers)`,
    items,
    batchEndpoint: true,
    retryAfter: true,
    rateLimitHeaders: false as const,
  },
  {
    id: `k${items}-batch-off-retry-after`,
    title: `K = ${items}, batch route 404, Retry-After readable, no RateLimit headers`,
    items,
    batchEndpoint: false,
    retryAfter: true,
    rateLimitHeaders: false as const,
  },
  {
    id: `k${items}-batch-off-headers`,
    title: `K = ${items}, batch route 404, Retry-After readable, draft-11 RateLimit headers`,
    items,
    batchEndpoint: false,
    retryAfter: true,
    rateLimitHeaders: 'draft-11' as const,
  },
  {
    id: `k${items}-batch-off-no-retry-after`,
    title: `K = ${items}, batch route 404, Retry-After hidden by CORS, no RateLimit headers`,
    items,
    batchEndpoint: false,
    retryAfter: false,
    rateLimitHeaders: false as const,
  },
]);

export const DROPPED: readonly string[] = [
  'batch route on × (Retry-After hidden | RateLimit headers): batched clients stay under the limit (ceil(K/64) requests per 2.5 s), per-item clients repeat the batch-off rows',
  'batch route off × Retry-After hidden × RateLimit headers readable: a server exposing RateLimit but not Retry-After; unusual, no goal',
];

/** The session of issue 9: 10 min, hidden 4–7 min, 50 ms, 120 a minute in fixed windows. */
export function scenarioOf(c: BenchCase, seed: number): Scenario {
  return {
    ...defaultScenario,
    items: c.items,
    window: 'fixed',
    retryAfter: c.retryAfter,
    rateLimitHeaders: c.rateLimitHeaders,
    batchEndpoint: c.batchEndpoint,
    // The age of the point on screen: the formula of the optimum counts it.
    staleness: 'data',
    seed,
  };
}

/** pollwise as an app would use it on this backend: one resource, batch + per-item fallback. */
export const pollwiseResourceClient: DashboardClient = {
  ...pollwiseBatchedClient,
  name: 'pollwise',
  heading: ['pollwise'],
  description:
    "createResource(poller) + subscribe per item: POST /api/get_logs_batch, ≤ 64 runs a request; where it answers 404, GET /api/get_logs per run; default options + '*.hf.space' → 2.5 s",
};

/** pollwise `poll(url)` per item, for reference: per-item GETs whatever the backend offers. */
export const pollwisePollClient: DashboardClient = {
  ...pollwiseClient,
  name: 'pollwise poll(url)',
  heading: ['pollwise', 'poll(url)'],
};

/** Columns, in order; the ratio columns compare `SUBJECT` with each of `PEERS`. */
export const CLIENTS: readonly DashboardClient[] = [
  naiveClient,
  tanstackClient,
  handTunedClient,
  pollwiseResourceClient,
  pollwisePollClient,
];
export const SUBJECT = 3;
export const PEERS: readonly number[] = [0, 1, 2];

/** Requests per tick of a batch client at the physical limit: ceil(K/64) per 2.5 s visible. */
export const batchFloor = (items: number, visibleMs: number) =>
  Math.ceil(items / 64) * (visibleMs / 2500);

import { describe, expect, it } from 'vitest';
import type { DashboardClient } from '../../playground/clients/dashboard.js';
import { handTunedClient } from '../../playground/clients/hand-tuned-client.js';
import { naiveClient } from '../../playground/clients/naive-client.js';
import {
  pollwiseBatchedClient,
  pollwiseBatchedOldBackendClient,
} from '../../playground/clients/pollwise-batched-client.js';
import { pollwiseClient } from '../../playground/clients/pollwise-client.js';
import { tanstackClient } from '../../playground/clients/tanstack-client.js';
import { formatTable, wrap } from '../../playground/report.js';
import { defaultScenario, type RunResult, runScenario } from '../../playground/scenario.js';

/** 30 s, hidden from 10 s to 20 s: short enough for a test, long enough for many sweeps. */
const short = { ...defaultScenario, durationMs: 30_000, hidden: [10_000, 20_000] as const };

describe('playground scenario: every client measured the same way', () => {
  it('counts one tile update per run of data in a 200 answer, whichever request carried it', async () => {
    const clients = [naiveClient, pollwiseClient, pollwiseBatchedClient];
    const results: RunResult[] = [];
    for (const client of [...clients, pollwiseBatchedOldBackendClient]) {
      results.push(await runScenario(client, short)); // one at a time, as the demo runs them
    }
    const [naive, single, batched, old] = results;
    // Per-item clients: one run's data per 200.
    expect(naive!.updates).toBe(naive!.ok);
    expect(single!.updates).toBe(single!.ok);
    expect(old!.updates).toBe(old!.ok);
    // Batched: 4 requests (64 + 64 + 64 + 8 runs) refresh all 200 tiles.
    expect(batched!.ok % 4).toBe(0);
    expect(batched!.updates).toBe(batched!.ok * 50);
    expect(batched!.sent).toBe(batched!.ok);
    expect(batched!.peakPerSecond).toBe(4);
    // The old backend: one 404 probe, the rest per run.
    expect(old!.sent - old!.ok - old!.rateLimited).toBe(1);
    for (const r of [single!, batched!, old!]) expect(r.sentWhileHidden).toBe(0);
    // 120 requests a minute: per item, 80 tiles wait for the next minute (81 behind the 404).
    expect([single!.neverUpdated, batched!.neverUpdated, old!.neverUpdated]).toEqual([80, 0, 81]);
    expect(naive!.sentWhileHidden).toBe(2_000);
  });
});

describe('playground scenario: clients marked deterministic', () => {
  it('give the same run for any seed (a bench over seeds runs them once)', async () => {
    const scenario = {
      ...short,
      items: 20,
      window: 'fixed' as const,
      batchEndpoint: false,
      staleness: 'data' as const,
    };
    const figures = ({ client: _, realMs: __, ...rest }: RunResult) => rest;
    for (const client of [naiveClient, tanstackClient, handTunedClient]) {
      expect(client.deterministic).toBe(true);
      const a = await runScenario(client, { ...scenario, seed: 1 });
      const b = await runScenario(client, { ...scenario, seed: 2 });
      expect(figures(b)).toEqual(figures(a));
      expect(a.rateLimited).toBeGreaterThan(0);
    }
  });
});

const result = (name: string, sent: number, heading?: string[]): RunResult => ({
  client: {
    name,
    ...(heading ? { heading } : {}),
    description: '',
    start: () => ({ stop() {} }),
  } as DashboardClient,
  sent,
  ok: sent,
  rateLimited: 0,
  updates: sent,
  sentWhileHidden: 0,
  insideAnnounced: 0,
  peakPerSecond: 0,
  onReturn: 0,
  neverUpdated: 0,
  meanStalenessMs: 0,
  p95StalenessMs: 0,
  maxStalenessMs: 0,
  visibleMs: 0,
  timersFired: 0,
  realMs: 0,
});

describe('playground report', () => {
  it('sits multi-line headings on the rule and puts every ratio column\'s "naive ÷" on the top line', () => {
    const table = formatTable([
      result('naive', 1_000),
      result('pollwise', 100),
      result('pollwise (batched, 404)', 50, ['pollwise', 'batched,', 'batch 404']),
    ]).split('\n');
    expect(table.slice(0, 6)).toEqual([
      '                                                              naive ÷    naive ÷',
      '                                                   pollwise             pollwise',
      '                                                   batched,             batched,',
      'metric                           naive  pollwise  batch 404  pollwise  batch 404',
      '───────────────────────────────  ─────  ────────  ─────────  ────────  ─────────',
      'requests sent                    1,000       100         50     10.0×      20.0×',
    ]);
  });

  it("wraps words to a width, keeping the first line's indent and indenting the rest", () => {
    expect(wrap('  alpha beta gamma delta', 12, '    ')).toBe('  alpha beta\n    gamma\n    delta');
    expect(wrap('averyveryverylongword x', 5)).toBe('averyveryverylongword\nx');
  });
});

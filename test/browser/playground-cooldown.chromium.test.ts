// Issue 10, browser tests 2 and 3: one 429 silences the whole origin, counted at the server.
// (2) Same origin, Retry-After: 3: no poll (batch, item) and no wrapped fetch (summary) arrives
// for 3 s, the page refuses its own calls meanwhile, and both resume after.
// (3) Cross origin: a Retry-After that CORS hides still starts the default 10 s cooldown; the
// same 429 with Retry-After exposed silences only the announced 3 s (the control).
// Arrival times are the server's (Node's Date.now); the page stamps with the same system clock.
// The forced 429 also teaches pacing a budget whose reset is the Retry-After (or, when hidden, an
// assumed minute): that alone holds polls, so the poll silence rests partly on pacing, and the
// app's wrapped summary calls, which pacing never holds, are what shows the cooldown itself.
// The page's side is checked without any network margin: by the page's wire log, nothing of the
// pollwise dashboard was sent from the moment the 429's answer arrived in the page (its wire
// entry's `end`) until the cooldown's end.
import { describe, expect, it } from 'vitest';
import type { CountedRequest } from '../../playground/server/live-backend.js';
import type { WireEntry } from '../../playground/web/wire-log.js';
import { DEFAULTS } from '../../src/defaults.js';
import type { BudgetView } from '../../src/pacing/pacer.js';
import { chromiumAvailable } from '../support/chromium.js';
import {
  counted,
  openPlayground,
  POLL_ROUTES,
  sleepUntil,
  usePlaygroundInChromium,
  waitFor,
} from '../support/playground.js';

const RETRY_AFTER_S = 3;
const RETRY_AFTER_MS = RETRY_AFTER_S * 1000;
const DEFAULT_COOLDOWN_MS = DEFAULTS.cooldown.defaultMs;
/** The backend answers every request, the forced 429 too, this long after it arrived. */
const LATENCY_MS = 40;
/**
 * Requests the page sent before it had read the 429 may still arrive after it was answered: the
 * page reads it on a busy main thread (2 cores, other browsers running). The test checks that
 * the page did read it within this, and (same origin) that every request the margin excused was
 * sent before the page read the 429.
 */
const IN_FLIGHT_MARGIN = 250;
/** Date.now() is whole ms in Node and in the page, and timers may fire a ms early: rounding. */
const CLOCK_SLACK = 5;
/** After the cooldown, polls and app calls are back within this (ms). */
const RESUMED_WITHIN = 2000;
/** The app's wrapped summary call runs this often: many calls fall in any cooldown. */
const SUMMARY_EVERY = 250;
/** Warm-up before the 429: the page has polled and called a few times. */
const WARM_UP_MS = 3000;

/** Everything that is pollwise's, whatever the route. */
const ALL_ROUTES: CountedRequest['route'][] = [...POLL_ROUTES, 'summary'];

describe.skipIf(!chromiumAvailable())('playground in real Chromium: a 429 cooldown', () => {
  // A limit no test reaches: the only 429s are the forced ones.
  const env = usePlaygroundInChromium({
    settings: { limitPerMinute: 100_000, latencyMs: LATENCY_MS },
  });

  /** What the page's pollwise dashboard counted. */
  const pageState = () =>
    env.page.evaluate(() => {
      const pw = window.__playground!.pollwise();
      return {
        refused: pw.refusedAppCalls,
        stats: pw.stats,
        cooldownOrigins: pw.inspect.cooldownOrigins,
      };
    });

  /**
   * The page's side, by its own clock: the forced 429's wire entry (`end`: its answer arrived in
   * the page) and every request of the pollwise dashboard sent after that and before
   * `end + cooldownMs`. A cooldown starts when the page reads the 429, never before `end`, and
   * jitter never shortens it: nothing may fall in there, whatever the network does.
   */
  async function pageSilence(cooldownMs: number) {
    const wire: WireEntry[] = await env.page.evaluate(() =>
      window.__playground!.pollwise().wire.map((e) => ({ ...e })),
    );
    const limited = wire.filter((e) => e.status === 429);
    expect(limited, "the forced 429 in the page's wire log").toHaveLength(1);
    const end = limited[0]!.end!;
    const sent = wire.filter((e) => e.at > end && e.at < end + cooldownMs);
    return { wire, limited: limited[0]!, end, sent };
  }

  const describeSent = (list: WireEntry[], from: number) =>
    list.map((e) => `${e.kind} ${e.method} ${e.url} sent at +${e.at - from} ms`);

  /**
   * Opens the page on `api` with Retry-After exposed or not, warms it up, forces a 429 and
   * returns it as the server counted it, with the span the server must see silent when the
   * cooldown lasts `cooldownMs`.
   */
  async function openAndForce429(
    api: 'same' | 'cross',
    exposeRetryAfter: boolean,
    cooldownMs: number,
  ) {
    const { playground, page } = env;
    playground.backend.update({ exposeRetryAfter });
    await openPlayground(page, playground, {
      naive: false,
      summaryEvery: SUMMARY_EVERY,
      interval: 1000,
      api,
    });
    const opened = Date.now();
    await waitFor(
      'polls and app calls',
      () =>
        counted(playground, { since: opened, routes: ['batch'] }).length >= 2 &&
        counted(playground, { since: opened, routes: ['summary'] }).length >= 4,
      10_000,
    );
    await sleepUntil(opened + WARM_UP_MS);
    const before = await pageState();
    const asked = Date.now();
    playground.backend.force429('pollwise', RETRY_AFTER_S);
    const rateLimited = await waitFor('the forced 429 in the server log', () =>
      counted(playground, { since: asked }).find((r) => r.status === 429),
    );
    const answered = rateLimited.at + LATENCY_MS;
    const silentFrom = answered + IN_FLIGHT_MARGIN;
    const silentUntil = answered + cooldownMs - CLOCK_SLACK;
    return { playground, opened, before, rateLimited, answered, silentFrom, silentUntil };
  }

  /** The first request of `routes` that arrived at or after `since`, waiting up to `timeoutMs`. */
  const firstAfter = (since: number, routes: CountedRequest['route'][], timeoutMs: number) =>
    waitFor(
      `a ${routes.join('/')} request after ${since}`,
      () => counted(env.playground, { since, routes })[0],
      timeoutMs,
    ).catch(() => undefined);

  /** The learned budget, with its reset relative to the 429: polls wait for it after a cooldown. */
  const budgetNote = (budgets: Record<string, BudgetView>, from: number) =>
    Object.values(budgets)
      .map(
        (b) =>
          `budget ${b.source} ${b.limit}/${b.windowMs} ms, remaining ${b.remaining}, ` +
          `reset +${(b.resetAt ?? Number.NaN) - from} ms`,
      )
      .join('; ');

  const describeRequests = (list: CountedRequest[], from: number) =>
    list.map((r) => `${r.route}@+${r.at - from}ms(${r.status})`).join(', ');

  it(`silences every poll and every wrapped fetch for a Retry-After of ${RETRY_AFTER_S} s, then both resume`, async () => {
    const { playground, before, rateLimited, answered, silentFrom, silentUntil } =
      await openAndForce429('same', true, RETRY_AFTER_MS);

    await sleepUntil(silentUntil - 100);
    const during = await pageState();
    await sleepUntil(silentUntil);
    const inFlight = counted(playground, { since: rateLimited.at + 1, until: silentFrom - 1 });
    const silent = counted(playground, { since: silentFrom, until: silentUntil });
    const inPage = await pageSilence(RETRY_AFTER_MS);
    // What the margin excused, by the page's record of each (same origin: matched by seq).
    const excused = inFlight.map((r) => ({
      request: `${r.route}@+${r.at - rateLimited.at}ms`,
      sentBeforeThe429WasRead:
        (inPage.wire.find((e) => e.seq === r.pageSeq)?.at ?? Number.POSITIVE_INFINITY) <=
        inPage.end,
    }));

    // Resumption: the first app call and the first poll that arrived after the cooldown.
    const summary = await firstAfter(silentUntil, ['summary'], 15_000);
    const poll = await firstAfter(silentUntil, POLL_ROUTES, 15_000);
    const end = answered + RETRY_AFTER_MS;
    const summaryAfter = summary === undefined ? Number.NaN : summary.at - end;
    const pollAfter = poll === undefined ? Number.NaN : poll.at - end;
    const refusedDuring = during.refused - before.refused;
    console.log(
      `[playground] same origin, 429 (${rateLimited.route}) with Retry-After ${RETRY_AFTER_S}: ` +
        `${silent.length} pollwise requests from +${silentFrom - rateLimited.at} to ` +
        `+${silentUntil - rateLimited.at} ms; in flight after the 429: ` +
        `[${describeRequests(inFlight, rateLimited.at)}]; the page read the 429 ` +
        `${inPage.end - answered} ms after it was answered and sent ${inPage.sent.length} requests ` +
        `in the ${RETRY_AFTER_MS} ms after; ${refusedDuring} app calls refused in the page; ` +
        `after the cooldown, first summary +${summaryAfter} ms, first poll (${poll?.route}) +${pollAfter} ms; ` +
        budgetNote(during.stats.budgets, rateLimited.at),
    );

    expect(rateLimited.listener).toBe('page');
    expect(inPage.limited.seq).toBe(rateLimited.pageSeq);
    // The page's record first: exact, with no network margin.
    expect(describeSent(inPage.sent, inPage.end), 'sent by the page in the cooldown').toEqual([]);
    expect(silent.map((r) => `${r.route}@+${r.at - rateLimited.at}ms`)).toEqual([]);
    expect(inPage.end - answered, 'ms from the answer to the page reading it').toBeLessThan(
      IN_FLIGHT_MARGIN,
    );
    expect(excused.filter((r) => !r.sentBeforeThe429WasRead)).toEqual([]);
    expect(during.stats.cooldowns).toBeGreaterThan(before.stats.cooldowns);
    expect(during.cooldownOrigins).toBeGreaterThan(0);
    // 12 calls fall in 3 s at 250 ms; a third of them is a floor a busy machine keeps.
    expect(refusedDuring).toBeGreaterThanOrEqual(4);
    expect(summaryAfter).toBeLessThanOrEqual(RESUMED_WITHIN);
    expect(pollAfter).toBeLessThanOrEqual(RESUMED_WITHIN);
  });

  it(`cross origin: a Retry-After CORS hides starts the default ${DEFAULT_COOLDOWN_MS / 1000} s cooldown`, async () => {
    const { playground, opened, before, rateLimited, answered, silentFrom, silentUntil } =
      await openAndForce429('cross', false, DEFAULT_COOLDOWN_MS);

    // Still refusing well past the 3 s the server asked for: the page could not read it.
    await sleepUntil(answered + RETRY_AFTER_MS + 1000);
    const past3s = await pageState();
    await sleepUntil(silentUntil - 100);
    const during = await pageState();
    await sleepUntil(silentUntil);
    const silent = counted(playground, { since: silentFrom, until: silentUntil });
    const inPage = await pageSilence(DEFAULT_COOLDOWN_MS);
    const first = await firstAfter(silentUntil, ALL_ROUTES, 15_000);
    const firstAfterEnd =
      first === undefined ? Number.NaN : first.at - (answered + DEFAULT_COOLDOWN_MS);
    const all = counted(playground, { since: opened });
    console.log(
      `[playground] cross origin, Retry-After hidden: ${silent.length} pollwise requests from ` +
        `+${silentFrom - rateLimited.at} to +${silentUntil - rateLimited.at} ms; the page read the 429 ` +
        `${inPage.end - answered} ms after it was answered and sent ${inPage.sent.length} requests in ` +
        `the ${DEFAULT_COOLDOWN_MS} ms after; app calls refused ` +
        `${during.refused - past3s.refused} between +${RETRY_AFTER_MS + 1000 + LATENCY_MS} ms and the end; ` +
        `first request after the cooldown (${first?.route}) +${firstAfterEnd} ms; ` +
        `${all.length} requests, listeners ${[...new Set(all.map((r) => r.listener))].join(',')}; ` +
        `preflights ${playground.backend.preflights}; ${budgetNote(during.stats.budgets, rateLimited.at)}`,
    );

    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((r) => r.listener !== 'api')).toEqual([]);
    // The page's record first: exact, with no network margin.
    expect(describeSent(inPage.sent, inPage.end), 'sent by the page in the cooldown').toEqual([]);
    expect(silent.map((r) => `${r.route}@+${r.at - rateLimited.at}ms`)).toEqual([]);
    expect(inPage.end - answered, 'ms from the answer to the page reading it').toBeLessThan(
      IN_FLIGHT_MARGIN,
    );
    expect(during.stats.cooldowns).toBeGreaterThan(before.stats.cooldowns);
    expect(during.stats.rateLimited).toBeGreaterThan(before.stats.rateLimited);
    expect(during.cooldownOrigins).toBeGreaterThan(0);
    // The page kept refusing its own calls after the announced 3 s were over.
    expect(during.refused).toBeGreaterThan(past3s.refused);
    // It did end: the app's calls go again (polls wait for the learned budget's assumed minute).
    expect(firstAfterEnd).toBeLessThanOrEqual(
      RESUMED_WITHIN + DEFAULT_COOLDOWN_MS * DEFAULTS.cooldown.jitter,
    );
  });

  it(`cross origin, control: with Retry-After exposed the silence is the announced ${RETRY_AFTER_S} s`, async () => {
    const { playground, opened, rateLimited, answered, silentFrom, silentUntil } =
      await openAndForce429('cross', true, RETRY_AFTER_MS);

    await sleepUntil(silentUntil);
    const silent = counted(playground, { since: silentFrom, until: silentUntil });
    const inPage = await pageSilence(RETRY_AFTER_MS);
    const first = await firstAfter(silentUntil, ALL_ROUTES, 15_000);
    const firstAfter429 = first === undefined ? Number.NaN : first.at - rateLimited.at;
    const all = counted(playground, { since: opened });
    console.log(
      `[playground] cross origin, Retry-After exposed: ${silent.length} pollwise requests from ` +
        `+${silentFrom - rateLimited.at} to +${silentUntil - rateLimited.at} ms; first request after ` +
        `(${first?.route}) at +${firstAfter429} ms after the 429; the page read the 429 ` +
        `${inPage.end - answered} ms after it was answered and sent ${inPage.sent.length} requests in ` +
        `the ${RETRY_AFTER_MS} ms after`,
    );

    expect(all.filter((r) => r.listener !== 'api')).toEqual([]);
    // The page's record first: exact, with no network margin.
    expect(describeSent(inPage.sent, inPage.end), 'sent by the page in the cooldown').toEqual([]);
    expect(silent.map((r) => `${r.route}@+${r.at - rateLimited.at}ms`)).toEqual([]);
    expect(inPage.end - answered, 'ms from the answer to the page reading it').toBeLessThan(
      IN_FLIGHT_MARGIN,
    );
    // Back within 2 s of the announced end: about half the default cooldown, well before it.
    expect(firstAfter429).toBeLessThanOrEqual(LATENCY_MS + RETRY_AFTER_MS + RESUMED_WITHIN);
  });
});

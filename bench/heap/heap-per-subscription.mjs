#!/usr/bin/env node
// Heap per subscription, for pollwise as built.
//
//   node --expose-gc bench/heap/heap-per-subscription.mjs [--quick] [--json <file>]
//
// Optional: HEAP_N=10000 (subscriptions per kind), HEAP_RUNS=5 (runs; the median is reported);
// --quick: HEAP_N=1000, HEAP_RUNS=2 unless set. POLLWISE_DIST: the build to measure (dist/).
//
// For each kind of subscription it creates one poller (one resource for the resource kinds),
// collects garbage, reads heapUsed (the baseline), subscribes N times, collects, reads again:
// (after - baseline) / N is the heap one subscription costs. Nothing runs meanwhile: the clock's
// timers never fire and the fetch never answers, so what is measured is the cost of being
// subscribed, not of a request (bench/cpu/run.mjs measures the heap with answered data, against
// TanStack). Then it unsubscribes everything and reports what is left:
//   - polls: nothing should be (residual ~0 bytes);
//   - resources: unsubscribed items stay cached for `gcTime` by design, so the residual is
//     reported twice, right after unsubscribing and after gcTime has passed and the lazy
//     collection ran (one more subscribe/unsubscribe), where it should be ~0 again.
import { writeFileSync } from 'node:fs';
import { importDist, requireDist, versionOf } from '../cpu/dist.mjs';
import { argValue, knob, median, printTable } from '../cpu/format.mjs';
import { heapUsed as heap, requireGc } from './measure-heap.mjs';

requireDist('index.js', 'resource.js');
requireGc('bench/heap/heap-per-subscription.mjs');
const { createPoller } = await importDist('index.js');
const { createResource } = await importDist('resource.js');

const N = knob('HEAP_N', 10_000, 1000);
const RUNS = knob('HEAP_RUNS', 5, 2);
const ORIGINS = Array.from({ length: 20 }, (_, i) => `https://o${String(i).padStart(2, '0')}.test`);
const GC_TIME = 60_000;

/** A clock whose timers never fire; `now` moves only when told. */
function frozenClock() {
  let now = Date.UTC(2026, 0, 1);
  let next = 0;
  return {
    now: () => now,
    setTimeout: () => ++next,
    clearTimeout: () => {},
    advance: (ms) => {
      now += ms;
    },
  };
}

function newPoller(clock) {
  return createPoller({
    clock,
    fetch: () => new Promise(() => {}), // never answers (and is never called: no timer fires)
    visibility: false,
    online: false,
    baseUrl: 'https://app.test/',
  });
}

function newResource(poller) {
  return createResource(poller, {
    item: { url: (key) => `${ORIGINS[Number(key.slice(0, 2))]}/items/${key}` },
    batch: {
      url: (keys) => `${ORIGINS[Number(keys[0].slice(0, 2))]}/batch`,
      body: (keys) => ({ ids: keys }),
      key: (entry) => entry.id,
    },
    interval: 30_000,
    maxItems: 2 * N, // every subscribed item stays: what is measured is N live items
    gcTime: GC_TIME,
  });
}

const keyOf = (i) => `${String(i % 20).padStart(2, '0')}:${i}`;
const task = async ({ fetch }) => (await fetch('/')).json();

/** What one kind subscribes, N times; each subscription gets its own listener/callback. */
const KINDS = {
  'poll(url)': {
    resource: false,
    subscribe: (poller, _resource, i) =>
      poller.poll(`${ORIGINS[i % 20]}/p/${i}`, { interval: 30_000, onData: () => {} }),
  },
  'poll(task)': {
    resource: false,
    subscribe: (poller, _resource, i) =>
      poller.poll(task, { origin: ORIGINS[i % 20], interval: 30_000, onData: () => {} }),
  },
  'resource, N keys': {
    resource: true,
    subscribe: (_poller, resource, i) => resource.subscribe(keyOf(i), () => {}),
  },
  'resource, 1 key x N': {
    resource: true,
    subscribe: (_poller, resource) => resource.subscribe('00:0', () => {}),
  },
};

/**
 * Extra subscribe-all/unsubscribe-all rounds: WARM rounds first (hash tables reach their size,
 * code gets optimised: a one-off cost that plateaus), then ROUNDS measured ones. A leak grows
 * the heap with every measured round; a plateau stays put.
 */
const WARM = knob('HEAP_WARM_ROUNDS', 5, 2);
const ROUNDS = knob('HEAP_ROUNDS', 5, 2);

async function measure(kind) {
  const spec = KINDS[kind];
  const clock = frozenClock();
  const poller = newPoller(clock);
  const resource = spec.resource ? newResource(poller) : undefined;
  // Warm up the code paths and the poller's one-off structures (origin lanes, groups).
  for (let i = 0; i < 40; i++) spec.subscribe(poller, resource, i).unsubscribe();
  if (resource) {
    clock.advance(GC_TIME + 1);
    resource.subscribe('00:warm', () => {}).unsubscribe();
  }
  const baseline = await heap();
  let subscriptions = new Array(N);
  for (let i = 0; i < N; i++) subscriptions[i] = spec.subscribe(poller, resource, i);
  const live = await heap();
  const inspectLive = poller.inspect();
  for (const subscription of subscriptions) subscription.unsubscribe();
  subscriptions = null;
  const unsubscribed = await heap();
  const inspectAfter = poller.inspect();
  /** Lets gcTime pass and runs the (lazy) collection of idle resource items. */
  const collect = () => {
    if (!resource) return;
    clock.advance(GC_TIME + 1);
    resource.subscribe('00:probe', () => {}).unsubscribe();
  };
  collect();
  const collected = await heap();
  const inspectCollected = poller.inspect();
  const round = () => {
    let more = new Array(N);
    for (let i = 0; i < N; i++) more[i] = spec.subscribe(poller, resource, i);
    for (const subscription of more) subscription.unsubscribe();
    more = null;
    collect();
  };
  for (let i = 0; i < WARM; i++) round();
  const warmed = await heap();
  for (let i = 0; i < ROUNDS; i++) round();
  const afterRounds = await heap();
  poller.dispose();
  return {
    perSubscription: (live - baseline) / N,
    residual: unsubscribed - baseline,
    residualCollected: collected - baseline,
    growthPerRound: (afterRounds - warmed) / ROUNDS / N,
    inspectLive,
    inspectAfter,
    inspectCollected,
  };
}

const results = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, []]));
for (let run = 0; run < RUNS; run++) {
  for (const kind of Object.keys(KINDS)) results[kind].push(await measure(kind));
}

const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
console.log(
  `pollwise heap per subscription, idle (N = ${fmt(N)} per kind, median of ${RUNS} runs); ` +
    `node ${process.version}, pollwise ${versionOf('pollwise')}\n`,
);
const rows = Object.entries(results).map(([kind, runs]) => {
  const per = runs.map((r) => r.perSubscription);
  const of = (field) => median(runs.map((r) => r[field]));
  return [
    kind,
    fmt(median(per)),
    `${fmt(Math.min(...per))}..${fmt(Math.max(...per))}`,
    fmt(of('residual')),
    KINDS[kind].resource ? fmt(of('residualCollected')) : '-',
    of('growthPerRound').toFixed(1),
  ];
});
printTable(['kind', 'bytes/sub', 'min..max', 'residual', 'after gcTime', 'growth B/sub'], rows);
console.log(`
bytes/sub     heap per live subscription: (heap with N subscribed - baseline) / N.
residual      heap left right after unsubscribing all N, in bytes (baseline: after 40 warm-up
              subscriptions); includes one-off growth (JIT code, hash-table capacity).
after gcTime  resources only: unsubscribed items stay cached for gcTime by design; this is the
              residual once gcTime passed and the lazy collection ran.
growth B/sub  heap added per subscribe+unsubscribe cycle, over ${ROUNDS} more rounds of N after
              ${WARM} warm-up rounds (hash tables sized, code optimised): ~0 (noise, a few bytes
              either way) unless something leaks.`);
console.log('\npoller.inspect() of the last run (live / after unsubscribe / after gcTime):');
for (const [kind, runs] of Object.entries(results)) {
  const last = runs[runs.length - 1];
  const brief = (s) =>
    `entries ${s.entries} groups ${s.groups} timers ${s.timers} lanes ${s.lanes} items ${s.resources.items} reads ${s.resources.reads}`;
  console.log(`  ${kind}`);
  console.log(`    live:      ${brief(last.inspectLive)}`);
  console.log(`    after:     ${brief(last.inspectAfter)}`);
  if (KINDS[kind].resource) console.log(`    collected: ${brief(last.inspectCollected)}`);
}

const jsonFile = argValue('--json');
if (jsonFile !== undefined) {
  const summary = Object.fromEntries(
    Object.entries(results).map(([kind, runs]) => [
      kind,
      Object.fromEntries(
        ['perSubscription', 'residual', 'residualCollected', 'growthPerRound'].map((field) => [
          field,
          median(runs.map((r) => r[field])),
        ]),
      ),
    ]),
  );
  const config = { n: N, runs: RUNS, warmRounds: WARM, rounds: ROUNDS };
  const versions = { node: process.version, pollwise: versionOf('pollwise') };
  writeFileSync(jsonFile, `${JSON.stringify({ config, versions, results: summary }, null, 2)}\n`);
}

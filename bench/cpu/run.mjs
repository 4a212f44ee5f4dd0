#!/usr/bin/env node
// CPU at scale: 10,000 subscriptions polled every second in one process, in virtual time, by
// pollwise (poll(url), and resource keys batched or per item) and by TanStack Query's
// QueryObserver, against an instant fake fetch; with the pending timers and the heap each
// client holds for those subscriptions.
//
//   node bench/cpu/run.mjs [--quick] [--json <file>]      (after a build; see bench/README.md)
//
// Knobs (environment): CPU_N=10000 subscriptions per side, CPU_ORIGINS=20, CPU_TICKS=10
// measured ticks per run, CPU_RUNS=5 runs, CPU_SIDES=poll,batch,item,tanstack,baseline,baseline64.
// CPU_WARMUP_TICKS=2. --quick: CPU_N=1000, CPU_TICKS=5, CPU_RUNS=2, CPU_WARMUP_TICKS=10 unless set.
// POLLWISE_DIST: the build to measure.
//
// A run of one side: build the client, collect garbage, read the heap; subscribe everything;
// let WARMUP_TICKS ticks pass (the first answers, JIT warm-up); collect, read the heap again
// ((after - before) / N is the heap per subscription, answered data included) and count the
// timers armed on the manual clock; then measure process.cpuUsage() (user + system) over the
// measured ticks and divide by the items the fake fetch served meanwhile (an item refresh: one
// request per item, or one entry of a batch answer). Runs alternate the order of the sides;
// medians are reported.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

// The heap readings need a full collection on demand: run again with --expose-gc.
if (typeof globalThis.gc !== 'function') {
  const script = fileURLToPath(import.meta.url);
  const args = ['--expose-gc', ...process.execArgv, script, ...process.argv.slice(2)];
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { distDir, importDist, requireDist, versionOf } = await import('./dist.mjs');
const { argValue, fixed, int, knob, median, printTable } = await import('./format.mjs');
const { closeNetwork, installFakeFetch, newNetwork } = await import('./fake-network.mjs');
const { manualClock, settle } = await import('./manual-clock.mjs');
const { BATCH_SIZE, defineSides } = await import('./sides.mjs');
const { heapUsed } = await import('../heap/measure-heap.mjs');

const N = knob('CPU_N', 10_000, 1000);
const ORIGINS = knob('CPU_ORIGINS', 20, 20);
const TICKS = knob('CPU_TICKS', 10, 5);
const RUNS = knob('CPU_RUNS', 5, 2);
const SIDE_IDS = (process.env.CPU_SIDES || 'poll,batch,item,tanstack,baseline,baseline64')
  .split(',')
  .map((s) => s.trim());
const WARMUP_TICKS = knob('CPU_WARMUP_TICKS', 2, 10);
const INTERVAL = 1000;
/** Goal of the request-path issue: poll(url) spends at most this fraction of TanStack's CPU. */
const GOAL_RATIO = 0.5;

requireDist('index.js', 'resource.js');
// TanStack reads process.env.NODE_ENV at run time for development-only checks; a browser app's
// production bundle has them compiled out. Must be set before query-core is imported.
process.env.NODE_ENV ??= 'production';
const pollwise = await importDist('index.js');
const { createResource } = await importDist('resource.js');
const tanstack = await import('@tanstack/query-core');

// query-core treats a runtime without `window` as a server, where refetchInterval schedules no
// timer at all. environmentManager.setIsServer turns that off without a `window` stub (which
// pollwise would see too). Older versions lack it.
if (tanstack.environmentManager === undefined) {
  console.error('@tanstack/query-core has no environmentManager.setIsServer: use a newer version.');
  process.exit(2);
}
tanstack.environmentManager.setIsServer(() => false);
tanstack.focusManager.setFocused(true);
tanstack.onlineManager.setOnline(true);
installFakeFetch();

const SIDES = defineSides({
  pollwise,
  createResource,
  tanstack,
  n: N,
  origins: ORIGINS,
  interval: INTERVAL,
});
for (const id of SIDE_IDS) {
  if (SIDES[id] !== undefined) continue;
  console.error(`CPU_SIDES: unknown side "${id}" (known: ${Object.keys(SIDES).join(', ')})`);
  process.exit(2);
}

/** One run of one side. */
async function runSide(side) {
  const clock = manualClock();
  const net = newNetwork();
  const client = side.create(clock);
  const heapBefore = await heapUsed();
  client.subscribe();
  for (let i = 0; i < WARMUP_TICKS; i++) await clock.advance(INTERVAL);
  await settle();
  const heapLive = await heapUsed();
  const timers = clock.pending();
  const requestsBefore = net.requests;
  const itemsBefore = net.items;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < TICKS; i++) await clock.advance(INTERVAL);
  await settle(); // the last tick's notifications belong to this run
  const cpu = process.cpuUsage(cpuBefore);
  const requests = net.requests - requestsBefore;
  const items = net.items - itemsBefore;
  client.teardown();
  closeNetwork();
  return {
    usPerItem: items > 0 ? (cpu.user + cpu.system) / items : Number.NaN,
    requestsPerTick: requests / TICKS,
    itemsPerTick: items / TICKS,
    timers,
    heapPerSub: (heapLive - heapBefore) / N,
  };
}

const versions = {
  node: process.version,
  pollwise: versionOf('pollwise'),
  '@tanstack/query-core': versionOf('@tanstack/query-core'),
};
const loadStart = loadavg();
console.log(
  `CPU at scale: ${int(N)} subscriptions per client over ${ORIGINS} origins, every ${INTERVAL} ms; ` +
    `${TICKS} measured ticks (+${WARMUP_TICKS} warm-up) per run; medians of ${RUNS} runs`,
);
console.log(
  `versions: ${Object.entries(versions)
    .map(([name, v]) => `${name} ${v}`)
    .join(', ')}; dist: ${distDir}`,
);
console.log(
  `machine: ${cpus().length} cores, load average at start ${loadStart.map((l) => l.toFixed(2)).join(' ')}`,
);

const samples = Object.fromEntries(SIDE_IDS.map((id) => [id, []]));
for (let run = 0; run < RUNS; run++) {
  const order = run % 2 === 0 ? SIDE_IDS : [...SIDE_IDS].reverse();
  const parts = [];
  for (const id of order) {
    const sample = await runSide(SIDES[id]);
    samples[id].push(sample);
    parts.push(`${id} ${fixed(sample.usPerItem)}`);
  }
  console.log(`  run ${run + 1}, µs per item refresh: ${parts.join(', ')}`);
}

const med = (id, field) => median(samples[id]?.map((s) => s[field]) ?? []);
const us = (id) => med(id, 'usPerItem');
const baselineOf = (id) => (SIDES[id].per === 'batch' ? 'baseline64' : 'baseline');
const net = (id) => (id.startsWith('baseline') ? Number.NaN : us(id) - us(baselineOf(id)));
const has = (id) => SIDE_IDS.includes(id);
/**
 * Gross ratio to TanStack: the median of the per-run ratios (within a run the clients ran one
 * after the other, under about the same load, so pairing them cancels much of what other
 * processes cause). Net ratio: net / net of the medians, as a per-run difference of two close
 * figures is mostly noise. NaN when a client it needs was not run (CPU_SIDES).
 */
const ratioOf = (id, netOf) => {
  if (!has('tanstack')) return Number.NaN;
  if (netOf) return has(baselineOf(id)) && has('baseline') ? net(id) / net('tanstack') : Number.NaN;
  return median(samples[id].map((s, run) => s.usPerItem / samples.tanstack[run].usPerItem));
};
const rows = SIDE_IDS.map((id) => {
  const runs = samples[id].map((s) => s.usPerItem);
  const isPollwise = !id.startsWith('baseline') && id !== 'tanstack';
  return [
    SIDES[id].label,
    int(med(id, 'requestsPerTick')),
    int(med(id, 'itemsPerTick')),
    fixed(us(id)),
    `${fixed(Math.min(...runs))}–${fixed(Math.max(...runs))}`,
    fixed(net(id)),
    int(med(id, 'timers')),
    int(med(id, 'heapPerSub')),
    isPollwise ? fixed(ratioOf(id, false), 2) : '',
    isPollwise ? fixed(ratioOf(id, true), 2) : '',
  ];
});
console.log('');
printTable(
  [
    'client',
    'req/tick',
    'items/tick',
    'µs/item',
    'runs',
    'net µs/item',
    'timers',
    'heap B/sub',
    '÷ TanStack',
    'net ÷ TanStack',
  ],
  rows,
);
console.log(
  `µs/item: CPU (user + system) per item refresh, median; net: minus the baseline of the same ` +
    `shape (per item, or ${BATCH_SIZE}-key batches): what the library adds. timers: armed on the ` +
    `manual clock for ${int(N)} subscriptions between ticks. heap: per subscription, answered ` +
    `data included, after a full collection. ÷ TanStack: median of the per-run ratios; net ÷: of the net medians.`,
);
const ratio = has('poll') ? ratioOf('poll', false) : Number.NaN;
if (Number.isFinite(ratio)) {
  const verdict =
    ratio <= GOAL_RATIO ? 'met' : `not met (${(ratio / GOAL_RATIO).toFixed(2)}x the goal)`;
  console.log(`goal: poll(url) <= ${GOAL_RATIO} x TanStack per request: ${verdict}`);
}
for (const id of SIDE_IDS) {
  const expected = N;
  const off = samples[id].filter((s) => Math.abs(s.itemsPerTick - expected) > expected * 0.01);
  if (off.length === 0) continue;
  console.log(
    `warning: ${SIDES[id].label} refreshed ${off.map((s) => int(s.itemsPerTick)).join(', ')} ` +
      `items per tick in some runs, expected ${int(expected)}`,
  );
}
const loadEnd = loadavg();
console.log(`load average at end ${loadEnd.map((l) => l.toFixed(2)).join(' ')}`);

const jsonFile = argValue('--json');
if (jsonFile !== undefined) {
  const config = { n: N, origins: ORIGINS, ticks: TICKS, runs: RUNS, interval: INTERVAL };
  const results = Object.fromEntries(
    SIDE_IDS.map((id) => [
      id,
      {
        label: SIDES[id].label,
        usPerItem: us(id),
        netUsPerItem: net(id),
        ratioToTanstack: ratioOf(id, false),
        netRatioToTanstack: ratioOf(id, true),
        requestsPerTick: med(id, 'requestsPerTick'),
        itemsPerTick: med(id, 'itemsPerTick'),
        timers: med(id, 'timers'),
        heapPerSub: med(id, 'heapPerSub'),
        runs: samples[id],
      },
    ]),
  );
  const load = { start: loadStart, end: loadEnd };
  writeFileSync(jsonFile, `${JSON.stringify({ config, versions, load, results }, null, 2)}\n`);
}

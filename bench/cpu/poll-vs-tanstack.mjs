#!/usr/bin/env node
// CPU per polling request: pollwise (as built) versus TanStack Query's QueryObserver.
//
//   npm run bench:cpu          (builds, then runs this file; it imports dist/index.js)
//
// Optional: CPU_N=10000 (subscriptions per side), CPU_ORIGINS=20, CPU_TICKS=10 (measured ticks
// per run), CPU_RUNS=5 (runs per side; pollwise and TanStack alternate which goes first; medians
// are reported). With `node --expose-gc` a full collection runs before each measured stretch.
//
// Each side polls N distinct URLs spread over the origins (http://h0.test/item/0, ...) every
// INTERVAL ms, in one process, in virtual time, against an instant fake fetch (a resolved
// promise of a small JSON Response; the calls are counted). A run subscribes everything, lets
// WARMUP_TICKS ticks pass unmeasured (the first fetch of each URL, JIT warm-up), then measures
// process.cpuUsage() (user + system) over CPU_TICKS ticks and divides by the requests the fake
// fetch saw meanwhile: ~N per tick on every side. Setup and teardown are not measured.
//
//   pollwise:  createPoller({ clock, visibility: false, online: false, jitter: 0, interval })
//              and poller.poll(url, { onData }) per URL; clock is the manual clock below.
//              Requests go through its default transport (globalThis.fetch), as in an app.
//   TanStack:  one QueryClient, one subscribed QueryObserver per URL (refetchInterval =
//              INTERVAL, retry: false, queryFn = fetch(url).then((r) => r.json())). Its timers go
//              to the same kind of manual clock through timeoutManager.setTimeoutProvider;
//              notifications keep the default notifyManager scheduler (a real setTimeout 0).
//   baseline:  no library: one manual-clock interval per URL calling the same fetch + json().
//              What the fake fetch itself costs (Node's Response and json() are not cheap), so
//              "net" figures (minus the baseline) show what each library adds.
//
// The goal (pollwise <= GOAL_RATIO x TanStack) is judged on the gross figures; the net ratio is
// printed for information.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const entry = resolve(root, 'dist/index.js');
if (!existsSync(entry)) {
  console.error('dist/index.js not found: run `npm run build` first (`npm run bench:cpu` does).');
  process.exit(2);
}

const N = Number(process.env.CPU_N ?? 10_000);
const ORIGINS = Number(process.env.CPU_ORIGINS ?? 20);
const TICKS = Number(process.env.CPU_TICKS ?? 10);
const RUNS = Number(process.env.CPU_RUNS ?? 5);
const WARMUP_TICKS = 2;
const INTERVAL = 1000;
/** Goal: pollwise spends at most this fraction of TanStack's CPU per request. */
const GOAL_RATIO = 0.5;

// TanStack reads process.env.NODE_ENV at run time for development-only checks; a browser app's
// production bundle has them compiled out. Must be set before query-core is imported.
process.env.NODE_ENV ??= 'production';

const { createPoller } = await import(pathToFileURL(entry).href);
const tanstack = await import('@tanstack/query-core');
const { QueryClient, QueryObserver, focusManager, onlineManager, timeoutManager } = tanstack;

// query-core treats a runtime without `window` as a server, where refetchInterval schedules no
// timer at all (QueryObserver#shouldScheduleTimer). environmentManager.setIsServer, in the pinned
// version, turns that off without a `window` stub (a stub would have to exist before query-core
// is first imported, and it would be visible to pollwise too). Older versions lack it.
if (tanstack.environmentManager === undefined) {
  console.error('@tanstack/query-core has no environmentManager.setIsServer: use a newer version.');
  process.exit(2);
}
tanstack.environmentManager.setIsServer(() => false);
focusManager.setFocused(true);
onlineManager.setOnline(true);

const URLS = Array.from(
  { length: N },
  (_, i) => `http://h${i % ORIGINS}.test/item/${Math.floor(i / ORIGINS)}`,
);

/**
 * The network: globalThis.fetch answers at once and counts its calls in the current run's
 * counter. Both sides call it: pollwise through its default transport (globalThis.fetch, read at
 * call time), TanStack's queryFn directly. Nothing leaves the process.
 */
const JSON_HEADERS = { 'content-type': 'application/json' };
let network = null;
globalThis.fetch = () => {
  if (network === null) return Promise.reject(new TypeError('fetch outside a measured run'));
  network.requests++;
  return Promise.resolve(new Response('{"v":1}', { headers: JSON_HEADERS }));
};
function newNetwork() {
  network = { requests: 0 };
  return network;
}

/**
 * A manual clock: timers in a binary min-heap ordered by (due time, creation order); cancelled
 * timers are dropped lazily when they reach the top. Handles are the timer records.
 */
function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  let seq = 0;
  const heap = [];
  const before = (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const push = (timer) => {
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let min = i;
        if (l < heap.length && before(heap[l], heap[min])) min = l;
        if (r < heap.length && before(heap[r], heap[min])) min = r;
        if (min === i) break;
        [heap[i], heap[min]] = [heap[min], heap[i]];
        i = min;
      }
    }
    return top;
  };
  const schedule = (cb, ms, every) => {
    const timer = {
      at: now + Math.max(0, Number(ms) || 0),
      seq: ++seq,
      cb,
      every,
      cancelled: false,
    };
    push(timer);
    return timer;
  };
  const cancel = (timer) => {
    if (timer && typeof timer === 'object') timer.cancelled = true;
  };
  /** Runs every timer due by `until`, in order, letting promise chains settle in between. */
  async function advanceTo(until) {
    for (;;) {
      while (heap.length > 0 && heap[0].cancelled) pop();
      if (heap.length === 0 || heap[0].at > until) break;
      const dueAt = heap[0].at;
      now = Math.max(now, dueAt);
      // Everything due at this instant, then the microtasks and I/O callbacks it caused.
      while (heap.length > 0 && heap[0].at <= dueAt) {
        const timer = pop();
        if (timer.cancelled) continue;
        if (timer.every !== undefined) {
          timer.at += timer.every;
          timer.seq = ++seq;
          push(timer);
        }
        timer.cb();
      }
      await settle();
    }
    now = Math.max(now, until);
  }
  return {
    now: () => now,
    setTimeout: (cb, ms) => schedule(cb, ms),
    clearTimeout: cancel,
    setInterval: (cb, ms) => schedule(cb, ms, Math.max(1, Number(ms) || 0)),
    clearInterval: cancel,
    advance: (ms) => advanceTo(now + ms),
  };
}

const immediate = () => new Promise((r) => setImmediate(r));
const realTimeout = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Lets promise chains finish: microtasks drain before each macrotask; the real 1 ms timeout also
 * runs TanStack's notifyManager batches (scheduled with setTimeout 0).
 */
async function settle() {
  await immediate();
  await immediate();
  await realTimeout(1);
  await immediate();
}

// TanStack's timers go to whichever manual clock the current run installed. One provider for
// the whole process: query-core warns when the provider changes after timers were created.
let tanstackClock = null;
timeoutManager.setTimeoutProvider({
  setTimeout: (cb, ms) => tanstackClock.setTimeout(cb, ms),
  clearTimeout: (h) => tanstackClock?.clearTimeout(h),
  setInterval: (cb, ms) => tanstackClock.setInterval(cb, ms),
  clearInterval: (h) => tanstackClock?.clearInterval(h),
});

/** One run of one side: returns { cpuUs, requests }. */
async function runPollwise() {
  const clock = manualClock();
  const net = newNetwork();
  const poller = createPoller({
    clock,
    visibility: false,
    online: false,
    jitter: 0,
    interval: INTERVAL,
  });
  const onData = () => {};
  const subs = URLS.map((url) => poller.poll(url, { onData }));
  const result = await measure(clock, net);
  for (const sub of subs) sub.unsubscribe?.();
  poller.dispose();
  network = null;
  return result;
}

async function runTanstack() {
  const clock = manualClock();
  tanstackClock = clock;
  const net = newNetwork();
  const client = new QueryClient();
  client.mount();
  const observers = URLS.map(
    (url) =>
      new QueryObserver(client, {
        queryKey: ['poll', url],
        queryFn: () => fetch(url).then((response) => response.json()),
        refetchInterval: INTERVAL,
        retry: false,
      }),
  );
  const onResult = () => {};
  const unsubscribes = observers.map((observer) => observer.subscribe(onResult));
  const result = await measure(clock, net);
  for (const unsubscribe of unsubscribes) unsubscribe();
  for (const observer of observers) observer.destroy();
  client.clear();
  client.unmount();
  tanstackClock = null;
  network = null;
  return result;
}

async function runBaseline() {
  const clock = manualClock();
  const net = newNetwork();
  const onData = () => {};
  const timers = URLS.map((url) =>
    clock.setInterval(() => {
      fetch(url)
        .then((response) => response.json())
        .then(onData);
    }, INTERVAL),
  );
  const result = await measure(clock, net);
  for (const timer of timers) clock.clearInterval(timer);
  network = null;
  return result;
}

async function measure(clock, net) {
  for (let i = 0; i < WARMUP_TICKS; i++) await clock.advance(INTERVAL);
  await settle();
  globalThis.gc?.();
  const requestsBefore = net.requests;
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < TICKS; i++) await clock.advance(INTERVAL);
  await settle(); // the last tick's notifications belong to this run
  const cpu = process.cpuUsage(cpuBefore);
  const requests = net.requests - requestsBefore;
  return { cpuUs: cpu.user + cpu.system, requests };
}

const SIDES = {
  pollwise: { label: 'pollwise', run: runPollwise },
  tanstack: { label: 'TanStack', run: runTanstack },
  baseline: { label: 'baseline', run: runBaseline },
};
const samples = { pollwise: [], tanstack: [], baseline: [] };
const fmt = (n) => n.toLocaleString('en-US');
console.log(
  `CPU per request: ${fmt(N)} polls over ${ORIGINS} origins every ${INTERVAL} ms; ` +
    `${TICKS} measured ticks (+${WARMUP_TICKS} warm-up) per run; ${RUNS} runs; node ${process.version}`,
);
for (let run = 0; run < RUNS; run++) {
  const order =
    run % 2 === 0 ? ['pollwise', 'tanstack', 'baseline'] : ['baseline', 'tanstack', 'pollwise'];
  const parts = [];
  for (const side of order) {
    const { cpuUs, requests } = await SIDES[side].run();
    const usPerRequest = requests > 0 ? cpuUs / requests : Number.NaN;
    samples[side].push({ usPerRequest, requests });
    parts.push(`${SIDES[side].label} ${usPerRequest.toFixed(1)} (${fmt(requests)} req)`);
  }
  console.log(`  run ${run + 1} µs/request: ${parts.join(', ')}`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const us = Object.fromEntries(
  Object.keys(SIDES).map((side) => [side, median(samples[side].map((s) => s.usPerRequest))]),
);
const expected = N * TICKS;
for (const side of Object.keys(SIDES)) {
  const requests = median(samples[side].map((s) => s.requests));
  const net = side === 'baseline' ? '' : `, net of baseline ${(us[side] - us.baseline).toFixed(1)}`;
  console.log(
    `median ${SIDES[side].label.padEnd(8)} ${us[side].toFixed(1).padStart(6)} µs/request${net}` +
      ` (${fmt(requests)} requests per run)`,
  );
  const off = samples[side].filter((s) => Math.abs(s.requests - expected) > expected * 0.01);
  if (off.length > 0) {
    console.log(
      `  warning: ${SIDES[side].label} made ${off.map((s) => fmt(s.requests)).join(', ')} ` +
        `requests in some runs, expected ~${fmt(expected)} (${fmt(N)} per tick)`,
    );
  }
}
const ratio = us.pollwise / us.tanstack;
const netRatio = (us.pollwise - us.baseline) / (us.tanstack - us.baseline);
const verdict =
  ratio <= GOAL_RATIO ? 'met' : `not met (${(ratio / GOAL_RATIO).toFixed(2)}x the goal)`;
console.log(
  `ratio pollwise/TanStack ${ratio.toFixed(2)} (net of baseline ${netRatio.toFixed(2)}); ` +
    `goal <= ${GOAL_RATIO}: ${verdict}`,
);

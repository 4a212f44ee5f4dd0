// A manual clock for virtual-time benches: timers in a binary min-heap ordered by (due time,
// creation order); cancelled timers are dropped lazily when they reach the top. Handles are the
// timer records. It has what pollwise's `clock` option needs (now, setTimeout, clearTimeout) and
// what TanStack's timeoutManager provider needs (setInterval, clearInterval too).

/**
 * Lets promise chains finish: microtasks drain before each macrotask; the real 1 ms timeout also
 * runs TanStack's notifyManager batches (scheduled with a real setTimeout 0).
 */
export async function settle() {
  const immediate = () => new Promise((r) => setImmediate(r));
  await immediate();
  await immediate();
  await new Promise((r) => setTimeout(r, 1));
  await immediate();
}

export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  let seq = 0;
  const heap = [];
  const before = (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq);
  const swap = (i, j) => {
    [heap[i], heap[j]] = [heap[j], heap[i]];
  };
  const push = (timer) => {
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      swap(i, parent);
      i = parent;
    }
  };
  const pop = () => {
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0) return top;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l], heap[min])) min = l;
      if (r < heap.length && before(heap[r], heap[min])) min = r;
      if (min === i) break;
      swap(i, min);
      i = min;
    }
    return top;
  };
  const schedule = (cb, ms, every) => {
    const timer = { at: now + Math.max(0, Number(ms) || 0), seq: ++seq, cb, every };
    timer.cancelled = false;
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
    /** Timers armed and not cancelled (an interval counts once). */
    pending: () => heap.reduce((n, timer) => n + (timer.cancelled ? 0 : 1), 0),
  };
}

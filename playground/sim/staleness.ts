import type { Span } from './visibility-script.js';

export interface StalenessReport {
  /** Items that never received data. */
  neverUpdated: number;
  /**
   * Age of what the user sees, averaged over every item and every visible millisecond: at time
   * t an item's staleness is t minus the time its data was produced (by default, when it
   * arrived), or minus the time the dashboard opened, while the item still shows nothing.
   */
  meanMs: number;
  /**
   * The 95th percentile of that age over items × visible time: the age that 5 % of the
   * item-milliseconds exceed. Exact (the age is piecewise linear; no sampling).
   */
  p95Ms: number;
  /** The oldest any item got while the tab was visible. */
  maxMs: number;
}

/**
 * A stretch of one item's visible time over which its age grows linearly from `from` to `to`
 * (ms of age): from one arrival, or a span's start, to the next arrival or the span's end.
 */
interface AgeSegment {
  from: number;
  to: number;
}

/** Records when each item's data arrived, and turns that into staleness while visible. */
export class StalenessTracker {
  /** Per item: arrival times and, at the same index, when that data was produced. */
  readonly #arrivals: number[][];
  readonly #produced: number[][];

  constructor(
    readonly items: number,
    /** When the dashboard opened: items without data count as stale since then. */
    readonly openedAt = 0,
  ) {
    this.#arrivals = Array.from({ length: items }, () => []);
    this.#produced = Array.from({ length: items }, () => []);
  }

  /**
   * Item `id` got fresh data at virtual time `at` (call in time order). `producedAt`: when that
   * data came to be (e.g. the second a point was logged); by default its arrival, so staleness
   * is the time since the last refresh.
   */
  refreshed(id: number, at: number, producedAt = at): void {
    this.#arrivals[id]?.push(at);
    this.#produced[id]?.push(producedAt);
  }

  /** Data deliveries so far, all items together. */
  get deliveries(): number {
    return this.#arrivals.reduce((sum, list) => sum + list.length, 0);
  }

  /** Exact mean, 95th percentile and maximum of staleness over `spans`. */
  report(spans: readonly Span[]): StalenessReport {
    const visibleMs = spans.reduce((sum, [from, to]) => sum + (to - from), 0);
    const segments: AgeSegment[] = [];
    let neverUpdated = 0;
    for (let id = 0; id < this.items; id++) {
      if (this.#arrivals[id]!.length === 0) neverUpdated++;
      this.#segments(id, spans, segments);
    }
    let total = 0;
    let maxMs = 0;
    for (const { from, to } of segments) {
      total += (to * to - from * from) / 2;
      maxMs = Math.max(maxMs, to);
    }
    const measure = visibleMs * this.items;
    return {
      neverUpdated,
      meanMs: measure > 0 ? total / measure : 0,
      p95Ms: ageQuantile(segments, 0.95),
      maxMs,
    };
  }

  /** Appends item `id`'s age segments over `spans` to `out`. */
  #segments(id: number, spans: readonly Span[], out: AgeSegment[]): void {
    const arrivals = this.#arrivals[id]!;
    const produced = this.#produced[id]!;
    let i = 0;
    let origin = this.openedAt; // when the data on screen was produced
    for (const [from, to] of spans) {
      // Advance to the last arrival at or before `from`.
      while (i < arrivals.length && arrivals[i]! <= from) origin = produced[i++]!;
      let start = from;
      while (i < arrivals.length && arrivals[i]! < to) {
        const next = arrivals[i]!;
        if (next > start) out.push({ from: start - origin, to: next - origin });
        origin = produced[i++]!;
        start = next;
      }
      if (to > start) out.push({ from: start - origin, to: to - origin });
    }
  }
}

/**
 * The age x that a share (1 − q) of the item-time exceeds, for ages growing linearly over each
 * segment. The time spent above x, M(x) = Σ max(0, to − max(from, x)), is piecewise linear and
 * falls as x grows; sweep the segment ends from the top down and solve M(x) = (1 − q) · total.
 */
export function ageQuantile(segments: readonly AgeSegment[], q: number): number {
  const total = segments.reduce((sum, s) => sum + (s.to - s.from), 0);
  if (total <= 0) return 0;
  const target = (1 - q) * total;
  // +1 where a segment's top is passed going down (it starts counting), −1 at its bottom.
  const events: [at: number, delta: number][] = [];
  for (const { from, to } of segments) {
    if (to <= from) continue;
    events.push([to, 1], [from, -1]);
  }
  events.sort((a, b) => b[0] - a[0]);
  let above = 0; // M(x) at the current event
  let active = 0; // segments containing ages just below the current event
  let x = events[0]?.[0] ?? 0;
  for (const [at, delta] of events) {
    const gained = active * (x - at);
    if (above + gained >= target && active > 0) return x - (target - above) / active;
    above += gained;
    x = at;
    active += delta;
  }
  return x;
}

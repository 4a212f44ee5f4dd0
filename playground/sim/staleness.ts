import type { Span } from './visibility-script.js';

export interface StalenessReport {
  /** Items that never received data. */
  neverUpdated: number;
  /**
   * Age of what the user sees, averaged over every item and every visible millisecond: at time
   * t an item's staleness is t minus the time its data last arrived (or minus the time the
   * dashboard opened, while the item still shows nothing).
   */
  meanMs: number;
  /** The oldest any item got while the tab was visible. */
  maxMs: number;
}

/** Records when each item's data arrived, and turns that into staleness while visible. */
export class StalenessTracker {
  readonly #arrivals: number[][];

  constructor(
    readonly items: number,
    /** When the dashboard opened: items without data count as stale since then. */
    readonly openedAt = 0,
  ) {
    this.#arrivals = Array.from({ length: items }, () => []);
  }

  /** Item `id` got fresh data at virtual time `at` (call in time order). */
  refreshed(id: number, at: number): void {
    this.#arrivals[id]?.push(at);
  }

  /** Data deliveries so far, all items together. */
  get deliveries(): number {
    return this.#arrivals.reduce((sum, list) => sum + list.length, 0);
  }

  /** Exact integral of staleness over `spans` (staleness grows linearly between arrivals). */
  report(spans: readonly Span[]): StalenessReport {
    const visibleMs = spans.reduce((sum, [from, to]) => sum + (to - from), 0);
    let total = 0;
    let maxMs = 0;
    let neverUpdated = 0;
    for (const arrivals of this.#arrivals) {
      if (arrivals.length === 0) neverUpdated++;
      let i = 0;
      let last = this.openedAt;
      for (const [from, to] of spans) {
        // Advance to the last arrival at or before `from`.
        while (i < arrivals.length && arrivals[i]! <= from) last = arrivals[i++]!;
        let segmentStart = from;
        while (i < arrivals.length && arrivals[i]! < to) {
          const next = arrivals[i++]!;
          total += area(last, segmentStart, next);
          maxMs = Math.max(maxMs, next - last);
          last = next;
          segmentStart = next;
        }
        total += area(last, segmentStart, to);
        maxMs = Math.max(maxMs, to - last);
      }
    }
    const meanMs = visibleMs > 0 && this.items > 0 ? total / (visibleMs * this.items) : 0;
    return { neverUpdated, meanMs, maxMs };
  }
}

/** ∫ (t − last) dt over [from, to]. */
function area(last: number, from: number, to: number): number {
  return ((to - last) ** 2 - (from - last) ** 2) / 2;
}

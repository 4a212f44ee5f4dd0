import type { Clock, VisibilitySource } from '../../src/index.js';

/** From `at` (virtual ms) on, the tab is `visible` until the next step. */
export interface VisibilityStep {
  at: number;
  visible: boolean;
}

/** A half-open stretch of virtual time [from, to). */
export type Span = readonly [from: number, to: number];

export interface VisibilityScript {
  /** Give it to the client: `createPoller({ visibility: script.source })`. */
  readonly source: VisibilitySource;
  isVisible(): boolean;
  /** The visible spans of [start, end), where `start` is the clock's time at creation. */
  visibleSpans(end: number): Span[];
  /** Stops the scripted changes still to come (listeners stay). */
  cancel(): void;
}

/**
 * A page whose visibility follows a script, like a user switching tabs: the tab starts
 * visible (or `initiallyVisible`) and flips at each step's time on the virtual clock.
 * Listeners fire synchronously, as `visibilitychange` does.
 */
export function scriptVisibility(
  clock: Clock,
  steps: readonly VisibilityStep[],
  initiallyVisible = true,
): VisibilityScript {
  const start = clock.now();
  const ordered = [...steps].sort((a, b) => a.at - b.at);
  let visible = initiallyVisible;
  const listeners = new Set<(visible: boolean) => void>();
  const set = (next: boolean) => {
    if (next === visible) return;
    visible = next;
    for (const listener of [...listeners]) listener(visible);
  };
  const timers = ordered.map((step) =>
    clock.setTimeout(() => set(step.visible), Math.max(0, step.at - start)),
  );

  return {
    source: {
      isVisible: () => visible,
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    isVisible: () => visible,
    visibleSpans(end) {
      const spans: Span[] = [];
      let state = initiallyVisible;
      let since = start;
      for (const step of ordered) {
        const at = Math.min(Math.max(step.at, start), end);
        if (step.visible === state) continue;
        if (state && at > since) spans.push([since, at]);
        state = step.visible;
        since = at;
      }
      if (state && end > since) spans.push([since, end]);
      return spans;
    },
    cancel() {
      for (const timer of timers) clock.clearTimeout(timer);
    },
  };
}

/** Visible, then hidden on [from, to), then visible again. */
export function hiddenBetween(clock: Clock, from: number, to: number): VisibilityScript {
  return scriptVisibility(clock, [
    { at: from, visible: false },
    { at: to, visible: true },
  ]);
}

export type TimerHandle = unknown;

/** Time source and timers. Injected so that tests and the demo can run in virtual time. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// Indirection, not `setTimeout: setTimeout`, so fake timers installed after import still apply.
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

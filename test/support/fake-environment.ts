import type { OnlineSource, VisibilitySource } from '../../src/index.js';

/** A boolean the test flips by hand, with listeners that fire synchronously, like the DOM. */
function manualFlag(initial: boolean) {
  let value = initial;
  const listeners = new Set<(value: boolean) => void>();
  return {
    get: () => value,
    subscribe(listener: (value: boolean) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    set(next: boolean) {
      if (next === value) return;
      value = next;
      for (const listener of [...listeners]) listener(value);
    },
    get listeners() {
      return listeners.size;
    },
  };
}

/** A visibility source the test flips with `set(visible)`. */
export function manualVisibility(initial = true) {
  const flag = manualFlag(initial);
  const source: VisibilitySource = { isVisible: flag.get, subscribe: flag.subscribe };
  return Object.assign(flag, { source });
}

/** An online source the test flips with `set(online)`. */
export function manualOnline(initial = true) {
  const flag = manualFlag(initial);
  const source: OnlineSource = { isOnline: flag.get, subscribe: flag.subscribe };
  return Object.assign(flag, { source });
}

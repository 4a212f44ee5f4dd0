/** Options whose functions are read afresh at each call, and keys for what is polled. */
interface Latest {
  current: Record<string, unknown>;
}

/**
 * Options read live, through a function that calls the latest one given: a new closure each
 * render changes nothing. The callbacks (`on…`) are always passed, so one that comes and goes
 * changes nothing either; `select` and an interval function only when given (their presence
 * counts: without a select a subscriber sees the data itself).
 */
const LIVE = ['onData', 'onError', 'select', 'interval'];
const ids = new WeakMap<object, number>();
let lastId = 0;
/** A number per object (a poller, a resource, a schema), the same for as long as it lives. */
export function objectId(value: object): number {
  if (!ids.has(value)) ids.set(value, ++lastId);
  return ids.get(value) as number;
}

/** `options` for the core, with the LIVE ones calling the latest given. */
export function liveOptions(latest: Latest): Record<string, unknown> {
  const { poller: _, ...options } = latest.current;
  for (const name of LIVE) {
    if (name.startsWith('on') || typeof options[name] === 'function') {
      options[name] = (value: unknown) =>
        (latest.current[name] as ((v: unknown) => unknown) | undefined)?.(value);
    }
  }
  return options;
}

/**
 * What a poll is, as a string: its poller, its target and its options by value (so a new object
 * each render with the same content is the same poll), except: callbacks do not count, `select`
 * and an interval function count as "given" (they are read live), and what the core itself
 * shares polls by identity counts by identity here too: a headers function or Headers object, a
 * schema, and the task of a keyed task poll (unkeyed tasks are never shared, and are read live).
 */
export function pollIdentity(
  poller: object,
  target: unknown,
  options: Record<string, unknown>,
): string {
  const task = typeof target === 'function';
  return JSON.stringify(
    [objectId(poller), task ? (options.key ? objectId(target) : 0) : String(target), options],
    (name, value) =>
      name.startsWith('on') || name === 'poller'
        ? undefined
        : name === 'select' || (name === 'interval' && typeof value === 'function')
          ? 0
          : typeof value === 'function' || value instanceof Headers || name === 'schema'
            ? objectId(value)
            : value,
  );
}

/** What a resource subscription is, as a string: the resource, the key's id, the intervals. */
export function resourceIdentity<K>(
  resource: object,
  key: K,
  keyId: ((key: K) => string) | undefined,
  options: { interval?: number; hiddenInterval?: number | false },
): string {
  return JSON.stringify([
    objectId(resource),
    keyId ? keyId(key) : key,
    options.interval,
    options.hiddenInterval,
  ]);
}

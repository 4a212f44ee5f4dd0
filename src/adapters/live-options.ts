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
 * What a poll is, as a string: its poller, its target and its options by value (a new object
 * each render with the same content is the same poll), headers as the core compares them
 * (normalised pairs), except: callbacks do not count, a select or interval function counts as
 * "a function" (it is read live), and what the core shares polls by identity counts by identity
 * here too: a headers function, a schema, and the task of a keyed task poll (unkeyed tasks are
 * never shared, and are read live).
 */
export function pollIdentity(
  poller: object,
  target: unknown,
  options: Record<string, unknown>,
): string {
  const { poller: _, onData, onError, headers, schema, interval, select, ...byValue } = options;
  return JSON.stringify([
    objectId(poller),
    typeof target !== 'function' ? String(target) : options.key ? objectId(target) : 0,
    byValue,
    typeof interval === 'function' ? 0 : interval,
    typeof select === 'function',
    typeof headers === 'function'
      ? objectId(headers)
      : headers && [...new Headers(headers as HeadersInit)].sort(),
    schema ? objectId(schema) : 0,
  ]);
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

/** Options whose functions are read afresh at each call, and keys for what is polled. */
interface Latest {
  current: Record<string, unknown>;
}

/**
 * Options that may be functions: callbacks, `select`, an interval or headers function. As
 * functions they call the latest one given, so a new closure each render changes nothing.
 */
const LIVE = ['select', 'onData', 'onError', 'interval', 'headers'];
/** Options compared by value: changing one is a new poll. */
const BY_VALUE = ['key', 'credentials', 'hiddenInterval', 'immediate', 'stretch', 'url', 'origin'];

const ids = new WeakMap<object, number>();
let lastId = 0;
/** A number per object (a poller, a resource, a schema), the same for as long as it lives. */
export function objectId(value: object): number {
  let id = ids.get(value);
  if (id === undefined) ids.set(value, (id = ++lastId));
  return id;
}

/** `options` for the core, with every function option calling the latest one. */
export function liveOptions(latest: Latest): Record<string, unknown> {
  const { poller: _, ...options } = latest.current;
  for (const name of LIVE) {
    if (typeof options[name] === 'function') {
      options[name] = (value: unknown) => (latest.current[name] as (v: unknown) => unknown)(value);
    }
  }
  return options;
}

/**
 * What a poll is, as a string: its poller, its target and the options that change the request or the
 * schedule. A function option counts as "a function" (it is read live); a schema by identity.
 */
export function pollIdentity(
  poller: object,
  target: unknown,
  options: Record<string, unknown>,
): string {
  const { headers, schema } = options;
  return JSON.stringify([
    objectId(poller),
    typeof target === 'function' ? 0 : String(target),
    ...BY_VALUE.map((name) => options[name]),
    ...LIVE.map((name) => (typeof options[name] === 'function' ? 0 : options[name])),
    headers instanceof Headers ? [...headers] : 0,
    typeof schema === 'object' && schema !== null ? objectId(schema) : 0,
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

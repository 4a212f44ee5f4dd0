// The network of the CPU bench: globalThis.fetch answers at once, in process, and counts what it
// served in the current run. Every side calls it (pollwise through its default transport, which
// reads globalThis.fetch at call time; TanStack's queryFn and the baselines directly).
//
//   GET http://hN.test/item/I            {"v":1}                              (one item)
//   GET http://hN.test/batch?ids=a,b,c   [{"id":"a","v":1},{"id":"b","v":1},…] (one item per id)
//
// Answers never change, so no client has new data to hand its listeners after the first tick.

const JSON_HEADERS = { 'content-type': 'application/json' };
const BATCH_PATH = '/batch?ids=';

let current = null;

/** Starts counting for one run; returns its counters { requests, items }. */
export function newNetwork() {
  current = { requests: 0, items: 0 };
  return current;
}

/** Ends a run: fetch rejects until the next newNetwork(). */
export function closeNetwork() {
  current = null;
}

function answer(url) {
  const at = url.indexOf(BATCH_PATH);
  if (at === -1) {
    current.items++;
    return '{"v":1}';
  }
  const ids = url.slice(at + BATCH_PATH.length).split(',');
  current.items += ids.length;
  return JSON.stringify(ids.map((id) => ({ id, v: 1 })));
}

export function installFakeFetch() {
  globalThis.fetch = (input) => {
    if (current === null) return Promise.reject(new TypeError('fetch outside a measured run'));
    current.requests++;
    const url = typeof input === 'string' ? input : (input.url ?? String(input));
    return Promise.resolve(new Response(answer(url), { headers: JSON_HEADERS }));
  };
}

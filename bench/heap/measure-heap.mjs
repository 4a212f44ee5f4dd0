// Heap readings the benches share. They need `node --expose-gc`.

const macrotask = () => new Promise((resolve) => setImmediate(resolve));

/**
 * heapUsed after full collections, each after a macrotask: objects kept alive until the end of
 * the current job (WeakRef targets, pending microtasks) are counted only once they are really
 * unreachable, as they would be in a page between events.
 */
export async function heapUsed() {
  await macrotask();
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await macrotask();
  }
  return process.memoryUsage().heapUsed;
}

/** Exits with code 2 unless the process runs with --expose-gc. */
export function requireGc(script) {
  if (typeof globalThis.gc === 'function') return;
  console.error(`Run with --expose-gc: node --expose-gc ${script}`);
  process.exit(2);
}

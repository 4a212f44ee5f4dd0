/**
 * Keeps `map` to at most `max` entries: deletes those `tests[0]` holds for, oldest first, then
 * those `tests[1]` holds for, and so on, until it is small enough. Maps iterate in insertion
 * order, so a map that re-inserts on use drops the least recently used first.
 */
export function evict<V>(
  map: Map<string, V>,
  max: number,
  ...tests: ((value: V) => boolean)[]
): void {
  for (const test of tests) {
    for (const [key, value] of map) {
      if (map.size <= max) return;
      if (test(value)) map.delete(key);
    }
  }
}

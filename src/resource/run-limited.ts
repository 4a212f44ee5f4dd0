/**
 * Runs `worker` over `items`, at most `limit` at once, in order. `canContinue` is asked before
 * each start: when it says no, the items not yet started are returned, untouched.
 * One item's failure never stops the others (the worker handles its own errors).
 */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  worker: (item: T) => Promise<void>,
  canContinue: () => boolean = () => true,
): Promise<T[]> {
  let next = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    while (next < items.length && !stopped) {
      if (!canContinue()) {
        stopped = true;
        return;
      }
      const item = items[next++] as T;
      await worker(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return items.slice(next);
}

/**
 * Runs `worker` over `items`, at most `limit` (or what `limit()` says now) at once, in order. `canContinue` is asked before
 * each start with the item and how many wait (it included): when it says no, the items not yet
 * started are returned, untouched.
 * A worker may hand back more items with `requeue` (the halves of a batch answered 413): they
 * go first, under the same limit and the same `canContinue` check as every other item.
 * One item's failure never stops the others (the worker handles its own errors).
 */
export function runLimited<T>(
  items: readonly T[],
  limit: number | (() => number),
  worker: (item: T, requeue: (...more: T[]) => void) => Promise<void>,
  canContinue: (item: T, waiting: number) => boolean = () => true,
): Promise<T[]> {
  const cap = typeof limit === 'number' ? () => limit : limit;
  const queue = [...items];
  let running = 0;
  let stopped = false;
  return new Promise<T[]>((resolve) => {
    const pump = (): void => {
      while (!stopped && running < cap() && queue.length > 0) {
        if (!canContinue(queue[0] as T, queue.length)) {
          stopped = true;
          break;
        }
        const item = queue.shift() as T;
        running++;
        const requeue = (...more: T[]) => queue.unshift(...more);
        let work: Promise<void>;
        try {
          work = worker(item, requeue);
        } catch {
          work = Promise.resolve(); // a worker that throws anyway must not wedge the caller
        }
        work
          .catch(() => {})
          .then(() => {
            running--;
            pump();
          });
      }
      if (running === 0 && (stopped || queue.length === 0)) resolve(queue);
    };
    pump();
  });
}

import { describe, expect, it } from 'vitest';
import { runLimited } from '../../src/resource/run-limited.js';

/** A worker whose items finish only when the test says so; it logs starts and tracks concurrency. */
function manualWorker<T>() {
  const started: T[] = [];
  const finishers = new Map<T, () => void>();
  let running = 0;
  let maxRunning = 0;
  const worker = (item: T) =>
    new Promise<void>((resolve) => {
      started.push(item);
      running++;
      maxRunning = Math.max(maxRunning, running);
      finishers.set(item, () => {
        running--;
        resolve();
      });
    });
  const finish = async (item: T) => {
    const done = finishers.get(item);
    if (done === undefined) throw new Error(`${String(item)} has not started`);
    finishers.delete(item);
    done();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return {
    worker,
    started,
    finish,
    get running() {
      return running;
    },
    get maxRunning() {
      return maxRunning;
    },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('runLimited', () => {
  it('starts at most `limit` at once, in order, and a finished item frees its slot for the next', async () => {
    const w = manualWorker<number>();
    const run = runLimited(range(10), 3, w.worker);
    expect(w.started).toEqual([0, 1, 2]);
    await w.finish(1);
    expect(w.started).toEqual([0, 1, 2, 3]);
    expect(w.running).toBe(3);
    await w.finish(0);
    await w.finish(3);
    expect(w.started).toEqual([0, 1, 2, 3, 4, 5]);
    for (const item of [2, 4, 5, 6, 7, 8, 9]) await w.finish(item);
    await expect(run).resolves.toEqual([]);
    expect(w.started).toEqual(range(10));
    expect(w.maxRunning).toBe(3);
  });

  it('a limit above the item count starts every item at once', async () => {
    const w = manualWorker<number>();
    const run = runLimited(range(4), 6, w.worker);
    expect(w.started).toEqual([0, 1, 2, 3]);
    for (const item of range(4)) await w.finish(item);
    await expect(run).resolves.toEqual([]);
  });

  it('when canContinue says no, starts nothing more and returns the rest, untouched and in order', async () => {
    const w = manualWorker<string>();
    let open = true;
    let asked = 0;
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const run = runLimited(items, 2, w.worker, () => {
      asked++;
      return open;
    });
    expect(w.started).toEqual(['a', 'b']);
    expect(asked).toBe(2); // asked before each start
    await w.finish('a');
    expect(w.started).toEqual(['a', 'b', 'c']);
    open = false;
    await w.finish('b');
    await w.finish('c');
    expect(w.started).toEqual(['a', 'b', 'c']);
    await expect(run).resolves.toEqual(['d', 'e', 'f', 'g']);
  });

  it('a closed gate from the start runs nothing and returns every item', async () => {
    const w = manualWorker<number>();
    await expect(runLimited(range(3), 2, w.worker, () => false)).resolves.toEqual([0, 1, 2]);
    expect(w.started).toEqual([]);
  });

  it('no items: the worker is never called', async () => {
    const w = manualWorker<number>();
    await expect(runLimited([], 6, w.worker)).resolves.toEqual([]);
    expect(w.started).toEqual([]);
  });

  it('items a worker requeues go first, under the same limit and the same canContinue check', async () => {
    const started: string[] = [];
    let running = 0;
    let maxRunning = 0;
    let asked = 0;
    const run = runLimited(
      ['abcd', 'e'],
      2,
      async (item, requeue) => {
        started.push(item);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await Promise.resolve();
        running--;
        // Split like a batch answered 413: halves until single letters.
        if (item.length > 1) requeue(item.slice(0, item.length / 2), item.slice(item.length / 2));
      },
      () => {
        asked++;
        return true;
      },
    );
    await expect(run).resolves.toEqual([]);
    expect(started.slice(0, 4)).toEqual(['abcd', 'e', 'ab', 'cd']);
    expect(started.slice(4).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(maxRunning).toBe(2);
    expect(asked).toBe(8); // asked before every start, requeued items included
  });

  it('when canContinue says no, requeued items are returned unstarted, first', async () => {
    let open = true;
    const run = runLimited(
      ['ab', 'c'],
      1,
      async (item, requeue) => {
        open = false; // the gate closes while the first item is under way
        if (item.length > 1) requeue('a', 'b');
      },
      () => open,
    );
    await expect(run).resolves.toEqual(['a', 'b', 'c']);
  });
});

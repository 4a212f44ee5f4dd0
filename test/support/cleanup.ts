import { afterEach } from 'vitest';

const cleanups: { run: () => unknown; late: boolean }[] = [];

/**
 * Runs `cleanup` after the current test, newest first. `late` cleanups (servers) run after all
 * the others (pollers), so nothing is torn down under a poller that still runs.
 */
export function onCleanup(cleanup: () => unknown, { late = false } = {}): void {
  cleanups.push({ run: cleanup, late });
}

/** Runs the registered cleanups now. Idempotent. */
export async function runCleanups(): Promise<void> {
  const due = cleanups.splice(0).reverse();
  for (const cleanup of due) if (!cleanup.late) await cleanup.run();
  for (const cleanup of due) if (cleanup.late) await cleanup.run();
}

afterEach(runCleanups);

import { afterEach, beforeEach } from 'vitest';

/**
 * `globalThis.reportError`, replaced by a spy for each test of the calling `describe` (or file):
 * what pollwise reports because nobody could catch it (a throwing handler, source or clock).
 */
export function spyReportError(): unknown[] {
  const reported: unknown[] = [];
  const g = globalThis as { reportError?: (e: unknown) => void };
  const before = g.reportError;
  beforeEach(() => {
    reported.length = 0;
    g.reportError = (error) => reported.push(error);
  });
  afterEach(() => {
    g.reportError = before;
  });
  return reported;
}

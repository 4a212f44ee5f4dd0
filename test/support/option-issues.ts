import { expect } from 'vitest';
import { InvalidOptionsError, type OptionIssue, type Poller } from '../../src/index.js';
import { track } from './poller.js';

const isPoller = (value: unknown): value is Poller =>
  typeof (value as Poller | null)?.dispose === 'function';

/**
 * What `run` refuses: the issues of the InvalidOptionsError it throws (any other error fails the
 * test), or null when it accepts the options. A poller it returns is disposed after the test.
 */
export function refusedOptions(run: () => unknown): readonly OptionIssue[] | null {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).issues;
  }
  if (isPoller(result)) track(result);
  return null;
}

/** The issues of the InvalidOptionsError `run` must throw. */
export function optionIssues(run: () => unknown): readonly OptionIssue[] {
  const issues = refusedOptions(run);
  if (issues === null)
    throw new Error('expected an InvalidOptionsError, but the options were accepted');
  return issues;
}

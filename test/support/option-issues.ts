import { expect } from 'vitest';
import {
  createPoller,
  InvalidOptionsError,
  type OptionIssue,
  type Poller,
  type PollerOptions,
} from '../../src/index.js';
import { fakeNetwork } from './fake-network.js';
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

/** The one issue of the InvalidOptionsError `run` must throw, as `[option, value]`. */
export function oneIssue(run: () => unknown): [string, unknown] {
  const issues = optionIssues(run);
  expect(issues).toHaveLength(1);
  return [issues[0]!.option, issues[0]!.value];
}

/**
 * A poller from `options` (passed through unchecked, bad values included) with nothing gated
 * and the fake network: the polls an options test gets accepted answer locally.
 */
export const localPoller = (options: unknown) =>
  createPoller({
    visibility: false,
    online: false,
    fetch: fakeNetwork().fetch,
    ...(options as PollerOptions),
  });

// What on() accepts: a function, while the poller lives. A handler that is not a function would
// only fail later, at every emit, far from the call that gave it.
import { describe, expect, it } from 'vitest';
import { InvalidOptionsError, PollerDisposedError } from '../../src/index.js';
import { useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';

useFakeClock();

describe('on()', () => {
  it('a handler that is not a function is an InvalidOptionsError naming the handler; nothing is added', () => {
    const { poller } = fakePoller();
    for (const handler of [5, undefined, null, 'f', {}]) {
      const error = thrownBy(() => poller.on('data', handler as never)) as InvalidOptionsError;
      expect(error).toBeInstanceOf(InvalidOptionsError);
      expect(error.issues).toEqual([
        { option: 'handler', value: handler, message: 'must be a function' },
      ]);
    }
    expect(poller.inspect().eventListeners).toBe(0);
  });

  it('after dispose() throws PollerDisposedError, as poll() does, and keeps nothing; off() stays harmless', () => {
    const { poller } = fakePoller();
    const handler = () => {};
    poller.dispose();
    expect(thrownBy(() => poller.on('data', handler))).toBeInstanceOf(PollerDisposedError);
    expect(thrownBy(() => poller.poll('http://a.test/x'))).toBeInstanceOf(PollerDisposedError);
    expect(poller.inspect().eventListeners).toBe(0);
    expect(() => poller.off('data', handler)).not.toThrow();
  });
});

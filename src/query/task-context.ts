import { anySignal, forwardAbort, untilAborted } from '../transport/abort.js';
import type { Door } from '../transport/door.js';
import type { FetchFunction } from '../transport/fetch-function.js';
import { readData } from '../transport/read-json.js';
import { asRequest, requestUrl } from '../transport/request-url.js';
import type { PollContext, PollTask } from './poll-context.js';
import { requestHeaders } from './url-request.js';

/**
 * One run of a task, on a signal of its own (the entry's lives as long as the poll, and a task
 * that listens to its signal each run must not pile listeners up on it). Its context is the
 * door's fetch and a JSON helper, both bound to that signal. The time the run spends outside its
 * `ctx.http` calls (which have deadlines of their own) is under the poller's timeout: a body
 * that drips, read from `ctx.fetch`, a wrapped fetch or ky with `ctx.signal`, ends the run with
 * a TimeoutError naming `label`, and the next tick is not skipped as in flight.
 */
export async function runTask<T>(
  deps: { door: Door; politeFetch: FetchFunction; baseUrl: () => string | undefined },
  task: PollTask<T>,
  label: string,
  entrySignal: AbortSignal,
): Promise<T> {
  const { door, politeFetch, baseUrl } = deps;
  const run = new AbortController();
  const { signal } = run;
  const stopForwarding = forwardAbort(entrySignal, run);
  let stopDeadline = door.deadline(label, run);
  /** `ctx.http` calls under way: the run's own deadline is off while there are any. */
  let calls = 0;
  let over = false;
  const context: PollContext = {
    signal,
    // Async: a bad input (a signal that is not one) rejects, as with fetch.
    fetch: async (input, init) => {
      // init.signal replaces a Request's own signal in fetch(), so keep both alive.
      const given = init?.signal ?? asRequest(input)?.signal;
      return politeFetch(input, { ...init, signal: anySignal([signal, given]) });
    },
    async http<T>(input: string | URL, init?: RequestInit) {
      const url = requestUrl(input, baseUrl());
      const headers = requestHeaders(init?.headers, undefined);
      if (calls++ === 0) stopDeadline();
      try {
        return (await door.exchange(
          url,
          { ...init, headers },
          (response) => readData(response, url.href),
          anySignal([signal, init?.signal]),
        )) as T;
      } finally {
        if (--calls === 0 && !over) stopDeadline = door.deadline(label, run);
      }
    },
  };
  try {
    return await untilAborted(Promise.resolve(task(context)), signal);
  } finally {
    over = true;
    stopDeadline();
    stopForwarding();
  }
}

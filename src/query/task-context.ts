import { anySignal } from '../transport/abort.js';
import type { Door } from '../transport/door.js';
import { readData } from '../transport/read-json.js';
import { requestUrl } from '../transport/request-url.js';
import type { PollContext } from './poll-context.js';
import { requestHeaders } from './url-request.js';

/** The context of one task run: the door's fetch and a JSON helper, both bound to `signal`. */
export function taskContext(
  door: Door,
  politeFetch: PollContext['fetch'],
  baseUrl: () => string | undefined,
  signal: AbortSignal,
): PollContext {
  return {
    signal,
    fetch: (input, init) => {
      // init.signal replaces a Request's own signal in fetch(), so keep both alive.
      const own = init?.signal ?? (input instanceof Request ? input.signal : undefined);
      return politeFetch(input, { ...init, signal: anySignal([signal, own]) });
    },
    async http<T>(input: string | URL, init?: RequestInit) {
      const url = requestUrl(input, baseUrl());
      const headers = requestHeaders(init?.headers, undefined);
      const own = init?.signal ?? undefined;
      return (await door.exchange(
        url,
        { ...init, headers },
        (response) => readData(response, url.href),
        anySignal([signal, own]),
      )) as T;
    },
  };
}

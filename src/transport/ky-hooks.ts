import type { OriginGate } from './origin-gate.js';
import { requestUrl } from './request-url.js';

type HookState = { request: Request; response?: Response };
// ky 2 passes one state object; ky 1 passed (request, options, response).
type HookArgs = [HookState | Request, unknown?, Response?];

/** ky hooks that make an existing ky instance obey and feed a poller's cooldowns. */
export interface PoliteKyHooks {
  beforeRequest: Array<(...args: HookArgs) => void>;
  /** ky runs beforeRequest once per call: its own retries are gated here. */
  beforeRetry: Array<(...args: HookArgs) => void>;
  afterResponse: Array<(...args: HookArgs) => void>;
}

export function createKyHooks(gate: OriginGate, baseUrl: () => string | undefined): PoliteKyHooks {
  const unpack = ([first, , third]: HookArgs) =>
    first instanceof Request ? { request: first, response: third } : first;
  const admit = (...args: HookArgs) => {
    const { request } = unpack(args);
    const url = requestUrl(request, baseUrl());
    const refusal = gate.refusal(url.origin);
    if (refusal !== null) throw refusal;
    gate.sending(url.origin, url.href, request.method);
  };
  return {
    beforeRequest: [admit],
    beforeRetry: [admit],
    afterResponse: [
      (...args) => {
        const { request, response } = unpack(args);
        if (response === undefined) return;
        const url = requestUrl(request, baseUrl());
        gate.received(url.origin, url.href, response);
      },
    ],
  };
}

import type { OriginGate } from './origin-gate.js';
import { requestUrl } from './request-url.js';

/** The part of ky 2's hook state these hooks read. */
type HookState = { request: Request; response?: Response };

/** ky hooks that make an existing ky instance obey and feed a poller's cooldowns. */
export interface PoliteKyHooks {
  beforeRequest: Array<(state: HookState) => void>;
  /** ky runs beforeRequest once per call: its own retries are gated here. */
  beforeRetry: Array<(state: HookState) => void>;
  afterResponse: Array<(state: HookState) => void>;
  /** ky calls it for every error: timeouts (invisible to the transport) count for the breaker. */
  beforeError: Array<(state: HookState & { error: Error }) => Error>;
}

export function createKyHooks(gate: OriginGate, baseUrl: () => string | undefined): PoliteKyHooks {
  const admit = ({ request }: HookState) => {
    const url = requestUrl(request, baseUrl());
    const refusal = gate.refusal(url.origin);
    if (refusal !== null) throw refusal;
    gate.sending(url.origin, url.href, request.method);
  };
  return {
    beforeRequest: [admit],
    beforeRetry: [admit],
    beforeError: [
      ({ request, error }) => {
        gate.noteError(requestUrl(request, baseUrl()).origin, error);
        return error;
      },
    ],
    afterResponse: [
      ({ request, response }) => {
        if (response === undefined) return;
        const url = requestUrl(request, baseUrl());
        gate.received(url.origin, url.href, response);
      },
    ],
  };
}

import { PollerDisposedError } from '../errors.js';
import { anySignal, type InflightRequests } from './inflight.js';
import type { OriginGate } from './origin-gate.js';
import { requestUrl } from './request-url.js';

export type FetchFunction = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

export interface PoliteFetchDeps {
  gate: OriginGate;
  inflight: InflightRequests;
  baseUrl: () => string | undefined;
  isDisposed: () => boolean;
}

/**
 * A drop-in `fetch` that obeys and feeds the origin gate. While an origin cools down, a call
 * rejects at once with a CooldownError (no network). Otherwise the request goes out untouched
 * (headers, credentials, body) and its response feeds the cooldown registry. Non-2xx responses
 * resolve, as with `fetch`.
 */
export function createPoliteFetch(
  transport: () => FetchFunction,
  deps: PoliteFetchDeps,
): FetchFunction {
  return (input, init) => {
    if (deps.isDisposed()) return Promise.reject(new PollerDisposedError());
    let url: URL;
    try {
      url = requestUrl(input, deps.baseUrl());
    } catch (error) {
      return Promise.reject(error);
    }
    const { origin, href } = url;
    const refusal = deps.gate.refusal(origin);
    if (refusal !== null) return Promise.reject(refusal);

    const isRequest = typeof input === 'object' && !(input instanceof URL);
    const controller = deps.inflight.start();
    const signal = anySignal([
      controller.signal,
      init?.signal ?? (isRequest ? input.signal : null),
    ]);
    const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
    deps.gate.sending(origin, href, method);
    let pending: Promise<Response>;
    try {
      // A relative string goes out resolved, so it reaches the origin the gate checked.
      pending = transport()(typeof input === 'string' ? href : input, { ...init, signal });
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (response) => {
        deps.inflight.finish(controller);
        deps.gate.received(origin, href, response);
        return response;
      },
      (error: unknown) => {
        deps.inflight.finish(controller);
        deps.gate.failed(origin, error);
        throw error;
      },
    );
  };
}

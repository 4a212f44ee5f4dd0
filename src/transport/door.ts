import type { Clock } from '../environment/clock.js';
import type { OnlineSource } from '../environment/online.js';
import { invalid, PollerDisposedError, TimeoutError, UnexpectedResponseError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { PollerStats } from '../stats.js';
import { forwardAbort, untilAborted } from './abort.js';
import { Deadlines } from './deadlines.js';
import type { FetchFunction } from './fetch-function.js';
import type { OriginGate } from './origin-gate.js';
import { asRequest, checkOrigin, requestUrl } from './request-url.js';

type Answer = Pick<Response, 'status' | 'headers'> & { redirected?: boolean; url?: string };

/** One admitted request: what it learns is recorded once, against the origin that answered. */
export interface Ticket {
  /** The answer's status, once it arrived. */
  status?: number;
  /** The response's status and headers arrived (cooldown registry, stats, `response` event). */
  response(answer: Answer): void;
  /**
   * The exchange is over, `failed` or not. Once there is an answer its status decides (a 5xx is
   * the host failing); a timeout of `signal` is the host's failure, and any other abort of it
   * (by the caller, dispose()) says nothing of the host.
   */
  end(failed: boolean, signal?: AbortSignal): void;
}

export interface DoorDeps {
  gate: OriginGate;
  stats: PollerStats;
  events: EventBus;
  clock: Clock;
  /** The network, looked up per request (a configured fetch, else the global one). */
  transport: () => FetchFunction;
  baseUrl: () => string | undefined;
  /** Deadline of exchanges pollwise reads itself (ms), or false. */
  timeout: number | false;
  /** Told of answers and of requests that got none (answer-aware sources). */
  online?: OnlineSource;
}

const nothing = () => {};

/** Stops forwarding a caller's abort to a response body once the body is gone. */
const released = new FinalizationRegistry<() => void>((stop) => stop());

/** A thrown value that carries a response (ky's HTTPError, many SDK errors). */
const answerOf = (error: unknown): Answer | undefined => {
  const response = (error as { response?: Answer } | null)?.response;
  return typeof response?.status === 'number' && typeof response.headers?.get === 'function'
    ? response
    : undefined;
};

/**
 * The one admission point between pollwise and the network. Every request (URL polls, task
 * fetch/http, resources, loaders, wrapped fetch, the ky integration) is admitted here exactly
 * once: the gate is asked, the send is counted, and the answer feeds the cooldown and breaker
 * registries. Exchanges pollwise reads itself run under one deadline, body included.
 */
export class Door {
  readonly #deps: DoorDeps;
  readonly #inflight = new Set<AbortController>();
  /** Fetches this door already wraps: wrapping one again must not admit twice. */
  readonly #wrapped = new WeakSet<FetchFunction>();
  readonly #deadlines: Deadlines | undefined;
  #disposed = false;

  constructor(deps: DoorDeps) {
    this.#deps = deps;
    if (deps.timeout !== false) this.#deadlines = new Deadlines(deps.clock, deps.timeout);
  }

  #live(): void {
    if (this.#disposed) throw new PollerDisposedError();
  }

  /** Admits one request or throws its refusal (CooldownError, BreakerOpenError). */
  #admit(origin: string, href: string, method: string): Ticket {
    this.#live();
    checkOrigin(origin, href);
    const { gate, stats, events, online } = this.#deps;
    const refusal = gate.admit(origin);
    if (refusal !== null) throw refusal;
    if (events.hasListeners('request')) events.emit('request', { origin, url: href, method });
    // A `request` handler may have disposed the poller: then nothing goes out.
    this.#live();
    stats.sent++;
    const sentAt = gate.sent(origin);
    let answeredBy = origin;
    let open = true;
    const ticket: Ticket = {
      response(answer) {
        // An answer after the exchange ended (a transport that ignored its abort) is not news.
        if (!open) return;
        const { status } = answer;
        // After a redirect, the origin that answered owns the outcome.
        if (answer.redirected && answer.url) answeredBy = new URL(answer.url).origin;
        ticket.status = status;
        online?.answered?.();
        stats.responses++;
        if (status === 429) stats.rateLimited++;
        if (events.hasListeners('response')) {
          events.emit('response', { origin: answeredBy, url: href, status });
        }
        gate.response(answeredBy, answer, sentAt, answeredBy === origin);
      },
      end(failed, signal) {
        if (!open) return;
        open = false;
        // An answer from another origin (a redirect) was counted there, not here.
        gate.settled(origin, ticket.status !== undefined && answeredBy === origin);
        const timedOut = signal?.reason instanceof TimeoutError;
        if (signal?.aborted && !timedOut) return;
        const { status } = ticket;
        failed = timedOut || (status === undefined ? failed : status >= 500);
        if (failed && status === undefined) {
          online?.unanswered?.();
          // Offline explains a request that got no answer: it says nothing of the host.
          if (online?.isOnline() === false) return;
        }
        // The origin asked answered with a redirect: it works (and its half-open probe is over).
        if (answeredBy !== origin) gate.outcome(origin, false);
        // A 429 is the cooldown's business, and an opaque answer (status 0, no-cors) hides how
        // the host did: neither tells the breaker anything.
        if (status !== 429 && status !== 0) gate.outcome(answeredBy, failed);
      },
    };
    return ticket;
  }

  /**
   * One HTTP exchange that pollwise reads itself: admitted, sent, and `read` (which consumes the
   * body) all within one deadline. On the deadline the request is aborted and the promise
   * rejects with a TimeoutError, whatever the body is doing.
   */
  exchange<T>(
    url: URL,
    init: RequestInit | ((signal: AbortSignal) => Promise<RequestInit>),
    read: (response: Response) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const { href, origin } = url;
    return this.#run(href, signal, async (bound, admit) => {
      // Building the request (a token function, say) is inside the deadline, before admission.
      const options = typeof init === 'function' ? await init(bound) : init;
      const ticket = admit(origin, options.method ?? 'GET');
      const response = await this.#deps.transport()(href, { ...options, signal: bound });
      if (typeof response?.status !== 'number') {
        throw new UnexpectedResponseError(href, 0, 'not a Response');
      }
      ticket.response(response);
      try {
        return await read(response);
      } finally {
        // A body read that failed or timed out must not leave the stream open on the wire.
        if (!response.bodyUsed) response.body?.cancel().catch(nothing);
      }
    });
  }

  /** A call that is not plain HTTP (a resource loader) for `origin`, under the same rules. */
  call<T>(
    origin: string,
    label: string,
    work: (signal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.#run(label, signal, (bound, admit) => {
      admit(origin, 'LOAD');
      return work(bound);
    });
  }

  /**
   * Runs `work` under one controller and the deadline. `work` admits its request through
   * `admit` once it is ready to send; what it learns is recorded on that ticket.
   */
  async #run<T>(
    href: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal, admit: (origin: string, method: string) => Ticket) => Promise<T>,
  ): Promise<T> {
    this.#live();
    const controller = new AbortController();
    const bound = controller.signal;
    this.#inflight.add(controller);
    // One controller per request; the caller's abort is forwarded to it.
    const stopForwarding = forwardAbort(signal, controller);
    const stopDeadline = this.deadline(href, controller);
    let ticket: Ticket | undefined;
    try {
      const admit = (origin: string, method: string) => {
        // Aborted or timed out while the request was being built: it never goes out.
        if (bound.aborted) throw bound.reason;
        ticket = this.#admit(origin, href, method);
        return ticket;
      };
      // Whatever the transport or the body does, the request ends when its signal aborts.
      const value = await untilAborted(work(bound, admit), bound);
      ticket?.end(false);
      return value;
    } catch (error) {
      const timedOut = bound.reason instanceof TimeoutError;
      const carried = timedOut || ticket?.status !== undefined ? undefined : answerOf(error);
      if (carried !== undefined) ticket?.response(carried);
      ticket?.end(true, bound);
      throw timedOut ? bound.reason : error;
    } finally {
      stopDeadline();
      stopForwarding();
      this.#inflight.delete(controller);
    }
  }

  /**
   * Aborts `controller` with a TimeoutError naming `label` once the poller's timeout has passed,
   * unless the returned function is called first (a task run's own time, say).
   */
  deadline(label: string, controller: AbortController): () => void {
    const deadlines = this.#deadlines;
    return (
      deadlines?.start(() => controller.abort(new TimeoutError(label, deadlines.timeoutMs))) ??
      nothing
    );
  }

  /**
   * A drop-in `fetch` through the door: refused at once while the origin is closed, otherwise
   * sent untouched (headers, credentials, body); non-2xx responses resolve, as with `fetch`.
   * No deadline of its own: the caller reads the body, and the caller's signal still aborts it
   * after the headers. Wrapping a wrapped fetch returns it.
   */
  wrap(fetch?: FetchFunction): FetchFunction {
    if (fetch !== undefined && typeof fetch !== 'function') {
      throw invalid('wrapFetch.fetch', fetch, 'must be a function');
    }
    if (this.#wrapped.has(fetch as FetchFunction)) return fetch as FetchFunction;
    const transport = fetch ?? ((input, init) => this.#deps.transport()(input, init));
    const wrapped: FetchFunction = (input, init) => {
      let url: URL;
      let ticket: Ticket;
      let stopForwarding = nothing;
      const controller = new AbortController();
      const request = asRequest(input);
      try {
        const callerSignal = init?.signal ?? request?.signal;
        // An aborted call is refused before it is admitted or counted, like fetch().
        if (callerSignal?.aborted) throw callerSignal.reason;
        url = requestUrl(input, this.#deps.baseUrl());
        const method = init?.method ?? request?.method ?? 'GET';
        // The caller's abort stops the request, and after the headers its body, as with fetch.
        // A signal that is not one is refused here, before anything is counted.
        stopForwarding = forwardAbort(callerSignal, controller);
        ticket = this.#admit(url.origin, url.href, method.toUpperCase());
      } catch (error) {
        stopForwarding();
        return Promise.reject(error);
      }
      this.#inflight.add(controller);
      const { signal } = controller;
      // Anything but a Request or a URL goes out as the absolute string the gate checked.
      const target = request ?? (input instanceof URL ? input : url.href);
      // A transport that throws rejects, as fetch does.
      return new Promise<Response>((resolve) =>
        resolve(transport(target, { ...init, signal })),
      ).then(
        (response) => {
          this.#inflight.delete(controller);
          // Its listener goes with the body, as fetch's own does: none is kept per request.
          if (response.body) released.register(response.body, stopForwarding);
          else stopForwarding();
          ticket.response(response);
          ticket.end(false);
          return response;
        },
        (error: unknown) => {
          this.#inflight.delete(controller);
          stopForwarding();
          // The run's deadline is the host failing to answer in time; any other abort is not.
          ticket.end(true, signal);
          throw error;
        },
      );
    };
    this.#wrapped.add(wrapped);
    return wrapped;
  }

  /**
   * A request sent through this door timed out in a client above it (ky's timeout, which the
   * fetch only sees as an abort): the host failed to answer in time.
   */
  timedOut(origin: string): void {
    this.#deps.gate.outcome(origin, true);
  }

  /** Requests under way (diagnostics). */
  get inflight(): number {
    return this.#inflight.size;
  }

  /** Aborts every request under way and refuses new ones. */
  dispose(): void {
    this.#disposed = true;
    this.#deadlines?.clear();
    const reason = new DOMException('The poller was disposed', 'AbortError');
    for (const controller of this.#inflight) controller.abort(reason);
    this.#inflight.clear();
  }
}

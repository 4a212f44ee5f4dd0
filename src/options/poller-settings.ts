import { DEFAULTS } from '../defaults.js';
import { type Clock, systemClock } from '../environment/clock.js';
import { alwaysOnline, navigatorOnline, type OnlineSource } from '../environment/online.js';
import {
  alwaysVisible,
  documentVisibility,
  type VisibilitySource,
} from '../environment/visibility.js';
import type { HostPolicy } from '../policy/host-policies.js';
import type { FetchFunction } from '../transport/fetch-function.js';
import { pageUrl } from '../transport/request-url.js';
import { pollerOptions } from './option-checks.js';
import { validateOptions } from './validate.js';

/** Options of `createPoller()`. Every default is in `defaults.ts` and the README. */
export interface PollerOptions {
  /** Interval (ms) for hosts no policy matches. Default 2000. */
  interval?: number;
  /** Interval (ms) for loopback hosts (localhost, 127.0.0.0/8, [::1]). Default 1000. */
  loopbackInterval?: number;
  /** Interval while the tab is hidden, or `false` to send nothing while hidden. Default false. */
  hiddenInterval?: number | false;
  /** Per-host policies; the most specific match wins. */
  hosts?: HostPolicy[];
  /** Fraction of an interval each tick may land late at random (0–1). Default 0.1. */
  jitter?: number;
  /**
   * Deadline (ms, at most 2^31-1) of each exchange pollwise reads itself, body included, or
   * false. Default 10000.
   */
  timeout?: number | false;
  /** Base for relative URLs. Default: the page's `location.href`. */
  baseUrl?: string;
  cooldown?: { defaultMs?: number; maxMs?: number; jitter?: number };
  backoff?: { baseMs?: number; capMs?: number };
  /** Per-origin circuit breaker (see `DEFAULTS.breaker`), or false to never open one. */
  breaker?:
    | false
    | {
        windowSize?: number;
        windowMs?: number;
        minRequests?: number;
        failureRatio?: number;
        openMs?: number;
      };
  /**
   * Budget-aware pacing per origin (see `DEFAULTS.pacing`), or false to send as soon as due.
   * Budgets come from RateLimit / X-RateLimit headers, or are learned from a 429.
   */
  pacing?:
    | false
    | {
        reserve?: number;
        discoverMs?: number;
        assumedWindowMs?: number;
        resetMarginMs?: number;
        probeEvery?: number;
        forgetMs?: number;
      };
  /** Poll runs in flight at once per origin; more due polls wait, stalest first. Default 6. */
  maxConcurrent?: number;
  /** Most origins the cooldown and breaker registries track at once. Default 256. */
  maxTrackedOrigins?: number;
  /** Transport. Default: the global `fetch`, looked up at call time. */
  fetch?: FetchFunction;
  /** Time and timers. Default: `Date.now` and the global timers. */
  clock?: Clock;
  /** Page visibility, or `false` to poll whatever the visibility. Default: `document`. */
  visibility?: VisibilitySource | false;
  /** Online state, or `false` to ignore it. Default: `navigator.onLine` and its events. */
  online?: OnlineSource | false;
  /** Random source in [0, 1) for jitter. Default `Math.random`. */
  random?: () => number;
}

/** Validated options with every default applied: what the composition root wires. */
export function pollerSettings(options: PollerOptions | undefined) {
  const o = validateOptions(pollerOptions, options) as PollerOptions;
  const userFetch = o.fetch;
  const maxTrackedOrigins = o.maxTrackedOrigins ?? DEFAULTS.maxTrackedOrigins;
  return {
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    jitter: o.jitter ?? DEFAULTS.jitter,
    timeout: o.timeout ?? DEFAULTS.timeout,
    baseUrl: () => o.baseUrl ?? pageUrl(),
    // Looked up per request, so a fetch polyfilled or mocked after createPoller() still applies.
    transport: (): FetchFunction => userFetch ?? ((input, init) => globalThis.fetch(input, init)),
    cooldown: { ...DEFAULTS.cooldown, ...o.cooldown },
    backoff: { ...DEFAULTS.backoff, ...o.backoff },
    // Disabled: a breaker that would need infinitely many samples never opens.
    breaker:
      o.breaker === false
        ? { ...DEFAULTS.breaker, minRequests: Number.POSITIVE_INFINITY }
        : { ...DEFAULTS.breaker, ...o.breaker },
    pacing: o.pacing === false ? (false as const) : { ...DEFAULTS.pacing, ...o.pacing },
    maxTrackedOrigins,
    hosts: o.hosts ?? [],
    policyFallbacks: {
      interval: o.interval ?? DEFAULTS.interval,
      loopbackInterval: o.loopbackInterval ?? DEFAULTS.loopbackInterval,
      hiddenInterval: o.hiddenInterval ?? DEFAULTS.hiddenInterval,
      maxConcurrent: o.maxConcurrent ?? DEFAULTS.maxConcurrent,
    },
    visibility: o.visibility === false ? alwaysVisible : (o.visibility ?? documentVisibility()),
    online: o.online === false ? alwaysOnline : (o.online ?? navigatorOnline()),
  };
}

import { type InvalidOptionsError, invalid } from '../errors.js';
import { pollOptions } from '../options/option-checks.js';
import { validateOptions } from '../options/validate.js';
import { checkOrigin, requestUrl } from '../transport/request-url.js';
import type { PollTask } from './poll-context.js';
import type { Snapshot } from './snapshot.js';
import type { StandardSchemaV1 } from './standard-schema.js';
import type { HeadersOption } from './url-request.js';

/** Options of `poller.poll()`, for URL polls and task polls alike. */
export interface PollOptions<TData = unknown, TSelected = TData> {
  /** A name for this poll in events; polls with the same key share one run per tick. */
  key?: string;
  /**
   * Overrides the host policy's interval (ms). Or a function of the poll's snapshot (the shared
   * data, before any `select`), called when subscribing (pending, for a new poll) and after every
   * run; what it returns is the interval from then on. A result that is not a positive number of
   * ms at most 2^31-1, or a throw, keeps the interval it had (the host policy's at first) and is
   * reported as an `error` event (`source: 'callback'`). Subscribers of one poll: the shortest wins.
   */
  interval?: number | ((snapshot: Snapshot<TData>) => number);
  /** Overrides the hidden-tab behaviour: an interval (ms), or false to pause while hidden. */
  hiddenInterval?: number | false;
  /**
   * Stretch the interval while the data comes back unchanged (a 304, or equal data): each
   * unchanged answer multiplies it by `factor` (default 1.5), up to `maxMs` (default 60000);
   * the first change snaps back to `interval`. A failed run neither stretches nor snaps back.
   * `true` takes both defaults. Default false.
   */
  stretch?:
    | boolean
    | {
        /** Growth per unchanged answer; above 1. Default 1.5. */
        factor?: number;
        /** The longest the interval gets (ms), at least `interval`. Default 60000. */
        maxMs?: number;
      };
  /** Run at once (true, default) or one interval from now (false). */
  immediate?: boolean;
  /** What this subscriber sees of the data; equal results do not notify. */
  select?: (data: TData) => TSelected;
  /** Called when the data this subscriber sees changes (deep equality). */
  onData?: (data: TSelected) => void;
  /** Called on every failed run. */
  onError?: (error: unknown) => void;
}

/** Options of `poller.poll(url, options)`. */
export interface UrlPollOptions<TData = unknown, TSelected = TData>
  extends PollOptions<TData, TSelected> {
  /** Request headers, or a function called before every request (e.g. for a fresh token). */
  headers?: HeadersOption;
  credentials?: RequestCredentials;
  /** Any Standard Schema (zod 4, valibot, arktype); the data is typed from it. */
  schema?: StandardSchemaV1<unknown, TData>;
}

/** Options of `poller.poll(task, options)`: `url` or `origin` selects the host policy. */
export interface TaskPollOptions<TData = unknown, TSelected = TData>
  extends PollOptions<TData, TSelected> {
  /** The URL polled; its origin selects the host policy and cooldown. */
  url?: string | URL;
  /** The origin polled, when the task builds its own URLs. */
  origin?: string;
}

type Validated = UrlPollOptions & TaskPollOptions;

export interface PollArguments {
  /** The URL polled, or the task's origin as a URL. */
  url: URL;
  /** The task, or undefined for a URL poll. */
  task: PollTask<unknown> | undefined;
  options: Validated;
}

/** Validates `poll()`'s arguments and resolves its URL once; throws InvalidOptionsError. */
export function pollArguments(
  taskOrUrl: unknown,
  rawOptions: unknown,
  baseUrl: string | undefined,
): PollArguments {
  const isUrl = typeof taskOrUrl === 'string' || taskOrUrl instanceof URL;
  if (!isUrl && typeof taskOrUrl !== 'function') {
    throw invalid('task', taskOrUrl, 'must be a function or a URL');
  }
  const options = validateOptions(pollOptions, rawOptions, 'poll') as Validated;
  const { interval, stretch } = options;
  const maxMs = typeof stretch === 'object' ? stretch.maxMs : undefined;
  if (maxMs !== undefined && typeof interval === 'number' && maxMs < interval) {
    throw invalid('poll.stretch.maxMs', maxMs, `must be at least poll.interval (${interval})`);
  }
  const given = options.url ?? options.origin;
  if (isUrl && given !== undefined) {
    throw invalid('poll.url', given, 'is given twice (first argument and option)');
  }
  if (!isUrl) {
    for (const name of ['headers', 'credentials', 'schema'] as const) {
      if (options[name] !== undefined) {
        throw invalid(`poll.${name}`, options[name], 'applies to URL polls only');
      }
    }
  }
  const target = isUrl ? taskOrUrl : given;
  if (target === undefined) {
    throw invalid('poll.url', undefined, 'is required (or poll.origin)');
  }
  const option = isUrl ? 'url' : options.url !== undefined ? 'poll.url' : 'poll.origin';
  try {
    const url = requestUrl(target, baseUrl);
    checkOrigin(url.origin, url.href);
    return { url, task: isUrl ? undefined : (taskOrUrl as PollTask<unknown>), options };
  } catch (error) {
    // The URL's own problem, named by the argument or option that gave it.
    const [issue] = (error as InvalidOptionsError).issues;
    throw invalid(option, String(target), issue?.message as string);
  }
}

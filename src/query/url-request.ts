import { invalid, UnexpectedResponseError, ValidationError } from '../errors.js';
import { readPollInterval } from '../pacing/rate-limit-headers.js';
import type { Door } from '../transport/door.js';
import { readData } from '../transport/read-json.js';
import { type StandardSchemaV1, validate } from './standard-schema.js';

/** A 304 answered the poll's ETag: the data it holds is still current. */
export const NOT_MODIFIED: unique symbol = Symbol('pollwise.not-modified');

export type HeadersOption = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

export interface UrlRequestOptions {
  headers?: HeadersOption | undefined;
  credentials?: RequestCredentials | undefined;
  schema?: StandardSchemaV1<unknown, unknown> | undefined;
}

/** What the request keeps between runs of one poll. */
export interface RevalidationState {
  etag: string | undefined;
  /** Whether there is data a 304 could stand for. */
  hasData(): boolean;
  /** The server asked (X-Poll-Interval) that the next poll wait at least `ms`. */
  waitAtLeast(ms: number): void;
}

const JSON_ONLY = Object.freeze({ accept: 'application/json' });

/** `given` with `accept: application/json` unless it names one, and `if-none-match: etag`. */
export function requestHeaders(
  given: HeadersInit | undefined,
  etag: string | undefined,
): HeadersInit {
  if (given === undefined && etag === undefined) return JSON_ONLY; // the common case: no copy
  const headers = new Headers(given);
  if (!headers.has('accept')) headers.set('accept', 'application/json');
  if (etag !== undefined) headers.set('if-none-match', etag);
  return headers;
}

/**
 * What a headers function returned, with `requestHeaders`. A name or value fetch refuses is
 * refused as static headers are (by `poll()`), for this run: a typed error and nothing sent.
 */
function returnedHeaders(given: HeadersInit, etag: string | undefined): HeadersInit {
  try {
    return requestHeaders(given, etag);
  } catch (error) {
    throw invalid('poll.headers', given, `returned invalid headers (${String(error)})`);
  }
}

/**
 * One run of a URL poll: GET with the poll's headers (a function is called every time, e.g. for
 * a fresh token), revalidated with the last ETag, JSON read within the deadline, then validated.
 */
export function urlRequest(
  door: Door,
  url: URL,
  key: string,
  options: UrlRequestOptions,
  state: RevalidationState,
): (signal: AbortSignal) => Promise<unknown> {
  const { href } = url;
  const { credentials, schema } = options;
  return async (signal) => {
    const etag = state.hasData() ? state.etag : undefined;
    const given = options.headers;
    const build = (headers: HeadersInit): RequestInit =>
      credentials === undefined ? { headers } : { headers, credentials };
    let fresh: string | undefined;
    const data = await door.exchange(
      url,
      // A function is called before every request (a fresh token), inside the deadline.
      typeof given === 'function'
        ? async () => build(returnedHeaders(await given(), etag))
        : build(requestHeaders(given, etag)),
      // Validation is part of the read: a schema that never settles ends at the deadline.
      async (response) => {
        // Whatever the status (a 304 and an error too): the next poll of this URL waits that long.
        const asked = readPollInterval(response.headers);
        if (asked !== null) state.waitAtLeast(asked);
        if (response.status === 304) {
          if (etag !== undefined) return NOT_MODIFIED;
          // A 304 to a request that named no ETag stands for nothing: never bypass the schema.
          throw new UnexpectedResponseError(href, 304, 'no ETag was sent');
        }
        fresh = response.headers.get('etag') ?? undefined;
        const body = await readData(response, href);
        if (schema === undefined) return body;
        const result = await validate(schema, body);
        if (!result.ok) throw new ValidationError(key, result.issues);
        return result.value;
      },
      signal,
    );
    if (data === NOT_MODIFIED) return data;
    // Only an accepted body's ETag stands for the data held: one that failed to read, parse or
    // validate (or a 5xx) must never turn a later 304 into stale data shown as fresh.
    state.etag = fresh;
    return data;
  };
}

const identities = new WeakMap<object, number>();
let lastIdentity = 0;
/** A number standing for `value`'s identity (a function, a schema), without holding it. */
export const identity = (value: object) => {
  let id = identities.get(value);
  if (id === undefined) {
    id = ++lastIdentity;
    identities.set(value, id);
  }
  return id;
};

/**
 * What a URL poll is shared by: its URL and everything that shapes its request and its data.
 * Two polls with other headers (another user's token) or another schema never share a request.
 */
export function requestIdentity(url: URL, options: UrlRequestOptions): string {
  return `${url.href} ${requestOptionsIdentity(options)}`;
}

/** What shapes a request and its data besides its URL: headers, credentials and schema. */
export function requestOptionsIdentity(options: UrlRequestOptions): string {
  const { headers, credentials, schema } = options;
  let headerPart = '';
  if (typeof headers === 'function') headerPart = `f${identity(headers)}`;
  else if (headers !== undefined) {
    // Any fixed order will do: the same headers always give the same string.
    headerPart = JSON.stringify([...new Headers(headers)].sort());
  }
  const schemaPart = schema === undefined ? '' : `s${identity(schema)}`;
  return `${credentials ?? ''} ${headerPart} ${schemaPart}`;
}

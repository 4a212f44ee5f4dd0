import { invalid } from '../errors.js';

/** A Request, or what passes for one (a polyfill's): an object with a string `url`. */
export function asRequest(input: unknown): Request | undefined {
  return typeof input === 'object' && typeof (input as Request | null)?.url === 'string'
    ? (input as Request)
    : undefined;
}

/**
 * Resolves a fetch input to an absolute URL (against `base` when relative) as fetch reads it: a
 * Request's url, else the input as a string (a URL from any realm, `location`). Input fetch
 * would only guess at (`{}`, null, a number) is an InvalidOptionsError.
 */
export function requestUrl(input: unknown, base: string | undefined): URL {
  let raw = asRequest(input)?.url ?? input;
  try {
    if (typeof raw === 'object' && raw) raw = String(raw);
    if (typeof raw !== 'string' || raw === '[object Object]') throw raw;
    return new URL(raw, base);
  } catch {
    throw invalid(
      'url',
      input,
      `must be a URL or a Request${base === undefined ? ' (a relative one needs the baseUrl option)' : ''}`,
    );
  }
}

/**
 * Refuses a URL without an origin (file:, data:, about:, a custom scheme such as app://): every
 * cooldown and breaker is keyed by origin, and such URLs would all share the key "null".
 */
export function checkOrigin(origin: string, href: string): void {
  if (origin === 'null') {
    throw invalid('url', href, 'has no origin; use an http(s) URL');
  }
}

/** The page's URL where there is a page; read at call time, never at import. */
export function pageUrl(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}

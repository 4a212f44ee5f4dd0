/** Resolves a fetch input to an absolute URL, against `base` for relative inputs. */
export function requestUrl(input: RequestInfo | URL, base: string | undefined): URL {
  const raw = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  try {
    return new URL(raw, base);
  } catch {
    throw new TypeError(
      `pollwise: cannot resolve the URL ${JSON.stringify(raw)}${
        base === undefined ? ' (relative URLs need the baseUrl option outside a browser page)' : ''
      }`,
    );
  }
}

/** The page's URL where there is a page; read at call time, never at import. */
export function pageUrl(): string | undefined {
  return (globalThis as { location?: { href?: string } }).location?.href;
}

/**
 * Host patterns for per-host policies. Three forms:
 * - exact host, optionally with a port: `localhost`, `api.example.com:8443`
 * - wildcard suffix: `*.hf.space` (subdomains only, on label boundaries)
 * - origin: `https://api.example.com:8443`
 * Plain string logic on WHATWG-normalized hosts (lower case, punycode, canonical IPs);
 * no regex is ever built from user input.
 */
export type HostPattern =
  | { kind: 'origin'; protocol: string; hostname: string; port: string; specificity: number }
  | { kind: 'host'; hostname: string; port: string | null; specificity: number }
  | { kind: 'suffix'; suffix: string; specificity: number };

const FORBIDDEN_IN_HOST = ['/', '\\', '@', '?', '#', '*', ' ', '%'];

/** Host name as policies compare it: normalized, with one trailing dot removed. */
export function comparableHostname(hostname: string): string {
  return hostname.endsWith('.') ? hostname.slice(0, -1) : hostname;
}

/** `..hf.space` parses as a URL host; an empty label never names a real subdomain. */
export const hasEmptyLabel = (hostname: string): boolean =>
  !hostname.startsWith('[') && hostname.split('.').includes('');

export function effectivePort(url: Pick<URL, 'port' | 'protocol'>): string {
  if (url.port !== '') return url.port;
  return url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '';
}

function normalizeHostname(raw: string): string | null {
  if (raw === '' || FORBIDDEN_IN_HOST.some((c) => raw.includes(c))) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${raw}`).hostname;
  } catch {
    return null;
  }
  hostname = comparableHostname(hostname);
  if (hostname === '') return null;
  if (hostname.startsWith('[')) return hostname; // IPv6 literal, canonicalized by URL
  const labels = hostname.split('.');
  const validLabel = (label: string) => label !== '' && /^[a-z0-9_-]+$/.test(label);
  return labels.every(validLabel) ? hostname : null;
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d+\.\d+\.\d+\.\d+$/.test(hostname);
}

/** Splits `host:port`, leaving IPv6 literals (`[::1]:8080`) intact. */
function splitPort(source: string): { host: string; port: string | null } | null {
  const colon = source.lastIndexOf(':');
  if (colon === -1 || source.lastIndexOf(']') > colon) return { host: source, port: null };
  const port = source.slice(colon + 1);
  const host = source.slice(0, colon);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return null;
  if (host.includes(':') && !host.startsWith('[')) return null; // bare IPv6 needs brackets
  return { host, port: String(Number(port)) };
}

function parseOrigin(source: string): HostPattern | null {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return null;
  }
  if (url.pathname !== '/' || /[*?#]/.test(source)) return null;
  const rest = source.slice(source.indexOf('://') + 3).replace(/\/$/, '');
  if (rest.includes('/') || rest.includes('@')) return null;
  const hostname = normalizeHostname(url.host.replace(/:\d+$/, ''));
  if (hostname === null) return null;
  return {
    kind: 'origin',
    protocol: url.protocol,
    hostname,
    port: effectivePort(url),
    specificity: 4e6,
  };
}

/** Parses a policy's `match`; returns null when it is not a valid pattern. */
export function parseHostPattern(source: string): HostPattern | null {
  if (typeof source !== 'string' || source.length === 0 || source.length > 260) return null;
  if (source.includes('://')) return parseOrigin(source);
  if (source.startsWith('*.')) {
    const hostname = normalizeHostname(source.slice(2));
    if (hostname === null || isIpLiteral(hostname) || source.endsWith(':')) return null;
    if (source.slice(2).includes(':')) return null; // wildcards name hosts, not ports
    return { kind: 'suffix', suffix: `.${hostname}`, specificity: hostname.length };
  }
  const split = splitPort(source);
  if (split === null) return null;
  const hostname = normalizeHostname(split.host);
  if (hostname === null) return null;
  const specificity = (split.port === null ? 2e6 : 3e6) + hostname.length;
  return { kind: 'host', hostname, port: split.port, specificity };
}

/** Whether a request URL falls under a pattern. */
export function matchesHostPattern(pattern: HostPattern, url: URL): boolean {
  const hostname = comparableHostname(url.hostname);
  switch (pattern.kind) {
    case 'origin':
      return (
        url.protocol === pattern.protocol &&
        hostname === pattern.hostname &&
        effectivePort(url) === pattern.port
      );
    case 'host':
      return (
        hostname === pattern.hostname &&
        (pattern.port === null || effectivePort(url) === pattern.port)
      );
    case 'suffix':
      return (
        hostname.length > pattern.suffix.length &&
        hostname.endsWith(pattern.suffix) &&
        !hasEmptyLabel(hostname)
      );
  }
}

import { comparableHostname, hasEmptyLabel } from './host-pattern.js';

/**
 * Loopback hosts: `localhost` and `*.localhost` (RFC 6761), 127.0.0.0/8, `[::1]` and its
 * IPv4-mapped form. Takes a WHATWG-normalized hostname, so `127.1` or `0x7f.0.0.1` arrive as
 * `127.0.0.1`.
 */
export function isLoopbackHostname(rawHostname: string): boolean {
  const hostname = comparableHostname(rawHostname);
  if (hasEmptyLabel(hostname)) return false;
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (hostname === '[::1]') return true;
  // ::ffff:127.x.y.z, which URL writes as [::ffff:7fxx:yyyy]; not 7.x or 0.127.x.
  if (/^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname)) return true;
  const octets = hostname.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o));
}

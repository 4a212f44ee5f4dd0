import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type HostPattern,
  matchesHostPattern,
  parseHostPattern,
} from '../../src/policy/host-pattern.js';

function pattern(source: string): HostPattern {
  const parsed = parseHostPattern(source);
  if (parsed === null) throw new Error(`expected ${JSON.stringify(source)} to be a valid pattern`);
  return parsed;
}

/** Which of `urls` the pattern matches. */
const matching = (source: string, urls: readonly string[]) =>
  urls.filter((url) => matchesHostPattern(pattern(source), new URL(url)));

describe('host pattern forms', () => {
  it('exact host matches that host on any scheme and port, nothing else', () => {
    expect(
      matching('api.example.com', [
        'https://api.example.com/x',
        'http://api.example.com:8080/x',
        'https://API.Example.COM/x',
        'https://api.example.com./x',
        'https://example.com/x',
        'https://v1.api.example.com/x',
        'https://api.example.com.evil.com/x',
      ]),
    ).toEqual([
      'https://api.example.com/x',
      'http://api.example.com:8080/x',
      'https://API.Example.COM/x',
      'https://api.example.com./x',
    ]);
  });

  it('host:port matches that port only; default ports equal explicit ones', () => {
    expect(
      matching('api.example.com:443', [
        'https://api.example.com/',
        'https://api.example.com:443/',
        'http://api.example.com:443/',
        'http://api.example.com/',
        'https://api.example.com:8443/',
      ]),
    ).toEqual([
      'https://api.example.com/',
      'https://api.example.com:443/',
      'http://api.example.com:443/',
    ]);
    expect(matching('localhost:80', ['http://localhost/', 'http://localhost:8080/'])).toEqual([
      'http://localhost/',
    ]);
  });

  it('origin matches scheme, host and effective port exactly', () => {
    expect(
      matching('https://api.example.com', [
        'https://api.example.com/a?b#c',
        'https://api.example.com:443/',
        'http://api.example.com/',
        'https://api.example.com:8443/',
        'https://x.api.example.com/',
      ]),
    ).toEqual(['https://api.example.com/a?b#c', 'https://api.example.com:443/']);
    expect(
      matching('HTTP://Example.com:80/', ['http://example.com/', 'http://example.com:81/']),
    ).toEqual(['http://example.com/']);
  });

  it('*.hf.space matches subdomains on label boundaries only', () => {
    expect(
      matching('*.hf.space', [
        'https://x.hf.space/',
        'https://a.b.hf.space/',
        'https://X.HF.Space/',
        'https://x.hf.space./',
        'http://x.hf.space:8080/',
        'https://hf.space/',
        'https://evilhf.space/',
        'https://x.hf.space.evil.com/',
        'https://x-hf.space/',
        'https://hf.space.x/',
      ]),
    ).toEqual([
      'https://x.hf.space/',
      'https://a.b.hf.space/',
      'https://X.HF.Space/',
      'https://x.hf.space./',
      'http://x.hf.space:8080/',
    ]);
  });

  it('*.hf.space never matches a host with an empty label (..hf.space, a..hf.space)', () => {
    expect(
      matching('*.hf.space', [
        'https://..hf.space/',
        'https://a..hf.space/',
        'https://.a.hf.space/',
        'https://a.hf.space../',
      ]),
    ).toEqual([]);
  });

  it('userinfo does not fool matching: https://localhost@evil.com is evil.com', () => {
    const url = 'https://localhost@evil.com/';
    expect(matching('localhost', [url])).toEqual([]);
    expect(matching('https://localhost', [url])).toEqual([]);
    expect(matching('evil.com', [url])).toEqual([url]);
  });

  it('IDN patterns compare as punycode', () => {
    expect(
      matching('*.bücher.example', [
        'https://shop.xn--bcher-kva.example/',
        'https://shop.bücher.example/',
        'https://shop.bucher.example/',
      ]),
    ).toEqual(['https://shop.xn--bcher-kva.example/', 'https://shop.bücher.example/']);
    expect(matching('xn--bcher-kva.example', ['https://BÜCHER.example/'])).toHaveLength(1);
  });

  it('IPv6 and IPv4 literals compare in canonical form', () => {
    expect(
      matching('[::1]', ['http://[::1]/', 'http://[0:0:0:0:0:0:0:1]:3000/', 'http://[::2]/']),
    ).toEqual(['http://[::1]/', 'http://[0:0:0:0:0:0:0:1]:3000/']);
    expect(matching('[::1]:3000', ['http://[::1]:3000/', 'http://[::1]/'])).toEqual([
      'http://[::1]:3000/',
    ]);
    expect(matching('https://[::1]:8443', ['https://[::1]:8443/', 'http://[::1]:8443/'])).toEqual([
      'https://[::1]:8443/',
    ]);
    expect(matching('127.1', ['http://127.0.0.1/', 'http://127.0.0.2/'])).toEqual([
      'http://127.0.0.1/',
    ]);
  });

  it('a trailing dot on pattern or URL is ignored (localhost. is localhost)', () => {
    expect(matching('localhost.', ['http://localhost/', 'http://localhost./'])).toHaveLength(2);
    expect(matching('localhost', ['http://localhost./'])).toHaveLength(1);
    expect(matching('*.hf.space.', ['https://x.hf.space/'])).toHaveLength(1);
  });
});

describe('invalid host patterns', () => {
  const INVALID = [
    '',
    '*',
    '*.',
    '.',
    '*.*.a',
    '**.a.com',
    'a.*.com',
    '*a.com',
    '.a.com',
    'a..com',
    'a/b',
    'a\\b',
    'a b',
    'a?b',
    'a#b',
    'a%41.com',
    'u@a.com',
    'http://a.com/path',
    'https://*.a.com',
    'ftp://a.com',
    'ws://a.com',
    'https://u:p@a.com',
    'https://u@a.com',
    'https://a.com?x=1',
    'https://a.com#x',
    '*.a.com:80',
    '*.127.0.0.1',
    '*.1',
    '*.[::1]',
    '[::1',
    '::1',
    'a.com:',
    ':80',
    'a.com:99999',
    'a.com:65536',
    'a.com:-1',
    'a.com:8o',
    'a'.repeat(300),
  ];

  it('malformed patterns are rejected (null), never thrown on', () => {
    for (const source of INVALID)
      expect(parseHostPattern(source), JSON.stringify(source)).toBeNull();
  });

  it('an empty query or fragment is not an origin either ("https://a.com?", "https://a.com#")', () => {
    // WHATWG URL drops an empty "?" or "#", so url.search / url.hash checks alone miss them.
    expect(parseHostPattern('https://a.com?')).toBeNull();
    expect(parseHostPattern('https://a.com#')).toBeNull();
  });

  it('non-strings are rejected, not thrown on', () => {
    for (const value of [undefined, null, 4, {}, ['a.com']]) {
      expect(parseHostPattern(value as unknown as string)).toBeNull();
    }
  });
});

describe('wildcard matching: property against a label-list reference model', () => {
  // Labels that WHATWG URL leaves alone (no numeric last label, no xn--), in a small alphabet so
  // generated hosts and patterns often share suffixes.
  const label = fc.stringMatching(/^[a-c][a-c0-9-]{0,2}$/).filter((l) => !l.endsWith('-'));
  const labels = fc.array(label, { minLength: 1, maxLength: 4 });
  // Host labels may be empty (`..hf.space` parses as a URL); patterns' labels may not.
  const hostLabels = fc
    .array(fc.oneof(label, fc.constant('')), { minLength: 1, maxLength: 4 })
    .filter((host) => host.some((l) => l !== ''));

  const reference = (host: string[], suffix: string[]) =>
    host.length > suffix.length &&
    host.every((l) => l !== '') &&
    suffix.every((l, i) => l === host[host.length - suffix.length + i]);

  const randomCase = (s: string, mask: number) =>
    [...s].map((c, i) => ((mask >> (i % 30)) & 1 ? c.toUpperCase() : c)).join('');

  it('*.suffix matches exactly the hosts with more labels ending in the suffix labels', () => {
    fc.assert(
      fc.property(
        hostLabels,
        labels,
        fc.boolean(),
        fc.boolean(),
        fc.nat(),
        fc.constantFrom('', ':8080', ':443'),
        (prefix, suffix, share, trailingDot, mask, port) => {
          const host = share ? [...prefix, ...suffix] : prefix;
          const hostText = randomCase(host.join('.'), mask) + (trailingDot ? '.' : '');
          const url = new URL(`https://${hostText}${port}/path`);
          const p = pattern(`*.${randomCase(suffix.join('.'), ~mask)}`);
          // One trailing dot is the fully qualified form of the same host, not an empty label.
          const labels = trailingDot ? [...host, ''] : host;
          const comparable = labels.at(-1) === '' ? labels.slice(0, -1) : labels;
          expect(matchesHostPattern(p, url)).toBe(reference(comparable, suffix));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('an exact host pattern matches exactly the same host, whatever the case and port', () => {
    fc.assert(
      fc.property(labels, labels, fc.nat(), (a, b, mask) => {
        const url = new URL(`http://${randomCase(a.join('.'), mask)}:8080/`);
        expect(matchesHostPattern(pattern(b.join('.')), url)).toBe(a.join('.') === b.join('.'));
      }),
      { numRuns: 1000 },
    );
  });
});

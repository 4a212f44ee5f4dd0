import { describe, expect, it } from 'vitest';
import { createPoller, InvalidOptionsError, type PollerOptions } from '../../src/index.js';
import { advance, useFakeClock } from '../support/clock.js';
import { fakePoller, track } from '../support/poller.js';
import { thrownBy } from '../support/promises.js';

useFakeClock();

const DEFAULT = 2000;
const LOOPBACK = 1000;

/**
 * The interval a poll of `url` really runs at: a task poll fetches `url` itself (through
 * ctx.fetch, so userinfo URLs reach the fake network too) and the request times are observed.
 * Returns the times of the requests within two intervals of `expected`.
 */
async function requestTimes(url: string, expected: number, options: PollerOptions = {}) {
  const { poller, net } = fakePoller({ interval: DEFAULT, ...options });
  poller.poll((ctx) => ctx.fetch(url).then(() => null), { url });
  await advance(2 * expected);
  expect(net.calls.every((c) => c.url === new URL(url).href)).toBe(true);
  return net.calls.map((c) => c.at);
}

const every = (interval: number) => [0, interval, 2 * interval];

describe('built-in loopback interval (1000 ms) versus the default (2000 ms)', () => {
  it.each([
    'http://localhost/',
    'http://LOCALHOST/',
    'http://LocalHost.:8080/', // trailing dot: the same host
    'http://localhost%2E/', // an escaped dot is still that dot
    'http://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/', // full-width: IDNA maps it
    'http://evil.com@localhost/', // userinfo is not the host
    'http://localhost:3000/',
    'https://localhost:8443/',
    'http://app.localhost/', // RFC 6761
    'http://127.0.0.1/',
    'http://127.0.0.1./',
    'http://127.1/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://127.255.255.254/',
    'http://[::1]/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::1]:8080/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[::ffff:127.200.1.2]/',
  ])('%s is loopback: polled every 1000 ms', async (url) => {
    expect(await requestTimes(url, LOOPBACK)).toEqual(every(LOOPBACK));
  });

  it.each([
    'https://localhost@evil.com/', // userinfo: the host is evil.com
    'https://localhost:1000@evil.com/',
    'https://127.0.0.1@evil.com/',
    'https://[::1]@evil.com/',
    'http://localhost.evil.com/',
    'http://localhost.evil.com./',
    'http://evil-localhost/',
    'http://localhostevil.com/',
    'http://localhost../', // two dots: not the same host
    'http://l\u043ecalhost/', // Cyrillic o: punycode, not localhost
    'http://127.0.0.1.nip.io/',
    'http://128.0.0.1/',
    'http://126.255.255.255/',
    'http://[::2]/',
    'http://[::ffff:8.8.8.8]/',
    'http://[::ffff:128.0.0.1]/',
    'http://[::127.0.0.1]/', // IPv4-compatible (deprecated), not IPv4-mapped
  ])('%s is not loopback: polled every 2000 ms', async (url) => {
    expect(await requestTimes(url, DEFAULT)).toEqual(every(DEFAULT));
  });

  it.each([
    'http://[::ffff:7.240.0.1]/', // serializes as [::ffff:7f0:1]
    'http://[::ffff:0.127.0.1]/', // serializes as [::ffff:7f:1]
    'http://[::ffff:7f0:1]/',
    'http://[::ffff:7f:ffff]/',
  ])('IPv4-mapped addresses outside 127.0.0.0/8 are not loopback: %s', async (url) => {
    expect(await requestTimes(url, DEFAULT)).toEqual(every(DEFAULT));
  });
});

describe('user host policies cannot be fooled', () => {
  const hosts = [
    { match: 'api.example.com', interval: 500 },
    { match: 'localhost:3000', interval: 300 },
    { match: 'https://secure.example.com', interval: 700 },
    { match: '*.trusted.test', interval: 400 },
    { match: 'bücher.example', interval: 600 },
    { match: '[::1]:8080', interval: 800 },
    { match: '10.0.0.1', interval: 900 },
  ];

  it.each([
    // exact host: any scheme and port, any case, one trailing dot
    ['http://api.example.com/', 500],
    ['https://API.Example.COM/', 500],
    ['http://api.example.com./', 500],
    ['https://api.example.com:8443/', 500],
    ['http://evil.com@api.example.com/', 500],
    ['https://api.example.com@evil.com/', DEFAULT],
    ['https://api.example.com:443@evil.com/', DEFAULT],
    ['http://api.example.com.evil.com/', DEFAULT],
    ['http://evilapi.example.com/', DEFAULT],
    ['http://x.api.example.com/', DEFAULT],
    ['http://api.example.com../', DEFAULT],
    ['http://api.ex\u0430mple.com/', DEFAULT], // Cyrillic a
    ['http://api-example.com/', DEFAULT],
    // host:port: that port only (leading zeros are the same port)
    ['http://localhost:3000/', 300],
    ['https://localhost:3000/', 300],
    ['http://localhost:03000/', 300],
    ['http://LOCALHOST.:3000/', 300],
    ['http://localhost:30000/', LOOPBACK],
    ['http://localhost:300/', LOOPBACK],
    ['http://localhost/', LOOPBACK],
    ['http://127.0.0.1:3000/', LOOPBACK],
    ['http://localhost:3000@evil.com/', DEFAULT],
    // origin: scheme, host and effective port
    ['https://secure.example.com/', 700],
    ['https://secure.example.com:443/', 700],
    ['https://SECURE.example.com./', 700],
    ['http://secure.example.com/', DEFAULT],
    ['https://secure.example.com:8443/', DEFAULT],
    ['http://secure.example.com:443/', DEFAULT],
    ['https://secure.example.com@evil.com/', DEFAULT],
    // wildcard: subdomains on label boundaries only
    ['http://a.trusted.test/', 400],
    ['http://a.b.trusted.test/', 400],
    ['http://A.TRUSTED.TEST./', 400],
    ['http://trusted.test/', DEFAULT],
    ['http://eviltrusted.test/', DEFAULT],
    ['http://a.trusted.test.evil.com/', DEFAULT],
    ['http://a.trusted.test@evil.com/', DEFAULT],
    ['http://evil.com@a.trusted.test/', 400],
    // IDN: compared as punycode, in any spelling of the same name
    ['http://bücher.example/', 600],
    ['http://BÜCHER.example/', 600],
    ['http://xn--bcher-kva.example/', 600],
    ['http://bu\u0308cher.example/', 600], // combining diaeresis: NFC makes it ü
    ['http://bucher.example/', DEFAULT],
    ['http://b\u00fccher.example.evil.com/', DEFAULT],
    // IPv6 literal with port
    ['http://[::1]:8080/', 800],
    ['http://[0::1]:8080/', 800],
    ['http://[::1]/', LOOPBACK],
    ['http://[::1]:8081/', LOOPBACK],
    // IPv4 literal, in any spelling
    ['http://10.0.0.1/', 900],
    ['http://10.1/', 900],
    ['http://0xa.0.0.1/', 900],
    ['http://167772161/', 900],
    ['http://10.0.0.1.evil.com/', DEFAULT],
    ['http://[::ffff:10.0.0.1]/', DEFAULT],
  ] as const)('%s → every %i ms', async (url, interval) => {
    expect(await requestTimes(url, interval, { hosts })).toEqual(every(interval));
  });

  it.each([
    'localhost@evil.com',
    'evil.com@localhost',
    'https://localhost@evil.com',
    'https://user:pass@api.example.com',
    'evil.com/localhost',
    'localhost/',
    'localhost#evil.com',
    'localhost?x',
    '*.localhost@evil.com',
    '*.',
    '*',
    '*.[::1]',
    '*.127.0.0.1',
    'local host',
    'localhost:99999',
    '::1',
    '%6cocalhost',
  ])('a pattern that could mislead, %j, is rejected at createPoller()', (match) => {
    const caught = thrownBy(() => track(createPoller({ hosts: [{ match, interval: 100 }] })));
    expect(caught).toBeInstanceOf(InvalidOptionsError);
    expect((caught as InvalidOptionsError).issues.map((i) => i.option)).toEqual(['hosts[0].match']);
  });
});

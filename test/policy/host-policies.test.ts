import { describe, expect, it, vi } from 'vitest';
import type { HostPolicy } from '../../src/index.js';
import { createPolicyResolver } from '../../src/policy/host-policies.js';
import { isLoopbackHostname } from '../../src/policy/loopback.js';
import { useFakeClock } from '../support/clock.js';
import { fakePoller } from '../support/poller.js';

const FALLBACKS = {
  interval: 2000,
  loopbackInterval: 1000,
  hiddenInterval: false as const,
  maxConcurrent: 6,
};
const resolve = (policies: HostPolicy[], url: string) =>
  createPolicyResolver(policies, FALLBACKS)(new URL(url));

describe('most specific policy wins', () => {
  // Declared least specific last and first, to show declaration order does not decide.
  const policies: HostPolicy[] = [
    { match: 'v1.api.example.com', interval: 3 },
    { match: '*.example.com', interval: 1 },
    { match: 'https://v1.api.example.com:8443', interval: 5 },
    { match: '*.api.example.com', interval: 2 },
    { match: 'v1.api.example.com:8443', interval: 4 },
  ];

  const cases = [
    ['https://v1.api.example.com:8443/x', 5, 'https://v1.api.example.com:8443'],
    ['http://v1.api.example.com:8443/x', 4, 'v1.api.example.com:8443'],
    ['https://v1.api.example.com/x', 3, 'v1.api.example.com'],
    ['https://v2.api.example.com/x', 2, '*.api.example.com'],
    ['https://www.example.com/x', 1, '*.example.com'],
    ['https://example.com/x', 2000, null],
  ] as const;

  it('origin > host:port > host > longer wildcard > shorter wildcard, in any declared order', () => {
    for (const order of [policies, [...policies].reverse()]) {
      for (const [url, interval, match] of cases) {
        expect(resolve(order, url), url).toEqual({
          interval,
          hiddenInterval: false,
          maxConcurrent: 6,
          match,
        });
      }
    }
  });

  it('ties go to the first declared policy', () => {
    const first = { match: '*.hf.space', interval: 1 };
    const second = { match: '*.HF.space.', interval: 2 };
    expect(resolve([first, second], 'https://x.hf.space/').match).toBe('*.hf.space');
    expect(resolve([second, first], 'https://x.hf.space/').match).toBe('*.HF.space.');
    const origin = { match: 'https://a.com', interval: 1 };
    const originWithPort = { match: 'https://a.com:443', interval: 2 };
    expect(resolve([origin, originWithPort], 'https://a.com/').interval).toBe(1);
    expect(resolve([originWithPort, origin], 'https://a.com/').interval).toBe(2);
  });

  it('host:port beats the bare host even when the port is the scheme default', () => {
    const policies = [
      { match: 'a.com', interval: 1 },
      { match: 'a.com:443', interval: 2 },
    ];
    expect(resolve(policies, 'https://a.com/').interval).toBe(2);
    expect(resolve(policies, 'http://a.com/').interval).toBe(1);
  });

  it('a policy without interval keeps the built-in interval but sets hiddenInterval', () => {
    expect(
      resolve([{ match: 'localhost', hiddenInterval: 30_000 }], 'http://localhost:5173/'),
    ).toEqual({
      interval: 1000,
      hiddenInterval: 30_000,
      maxConcurrent: 6,
      match: 'localhost',
    });
    expect(
      resolve(
        [{ match: '*.hf.space', hiddenInterval: 60_000, maxConcurrent: 2 }],
        'https://x.hf.space/',
      ),
    ).toEqual({
      interval: 2000,
      maxConcurrent: 2,
      hiddenInterval: 60_000,
      match: '*.hf.space',
    });
  });

  it('an invalid pattern used directly throws a TypeError naming it', () => {
    expect(() => createPolicyResolver([{ match: '*.*.a' }], FALLBACKS)).toThrow(
      /invalid host pattern "\*\.\*\.a"/,
    );
  });
});

describe('loopback detection', () => {
  const loopback = [
    'http://localhost/',
    'http://LOCALHOST:3000/',
    'http://localhost./',
    'http://a.localhost/',
    'http://127.0.0.1:8080/',
    'http://127.1.2.3/',
    'http://127.1/',
    'http://0x7f.0.0.1/',
    'http://2130706433/',
    'http://[::1]:5173/',
    'http://[0:0:0:0:0:0:0:1]/',
    'http://[::ffff:127.0.0.1]/',
  ];
  const notLoopback = [
    'http://128.0.0.1/',
    'http://126.255.255.255/',
    'http://localhost.evil.com/',
    'http://localhostx/',
    'https://localhost@evil.com/',
    'http://[::2]/',
    'http://[::ffff:128.0.0.1]/',
    'http://10.0.0.1/',
  ];

  it('localhost, *.localhost, 127.0.0.0/8 (any spelling) and [::1] → 1000 ms by default', () => {
    for (const url of loopback) expect(resolve([], url).interval, url).toBe(1000);
  });

  it('look-alikes (128.0.0.1, localhost.evil.com, userinfo tricks) → 2000 ms by default', () => {
    for (const url of notLoopback) expect(resolve([], url).interval, url).toBe(2000);
  });

  it('takes WHATWG-normalized hostnames', () => {
    expect(isLoopbackHostname(new URL('http://127.1/').hostname)).toBe(true);
    expect(isLoopbackHostname('localhost.evil.com')).toBe(false);
    expect(isLoopbackHostname('127.0.0.1.evil.com')).toBe(false);
  });

  it('a host with an empty label is not loopback (.localhost, a..localhost)', () => {
    for (const host of ['.localhost', 'a..localhost', '..localhost', 'localhost..']) {
      expect(isLoopbackHostname(new URL(`http://${host}/`).hostname), host).toBe(false);
    }
    expect(isLoopbackHostname('a.localhost')).toBe(true);
    expect(isLoopbackHostname('localhost.')).toBe(true);
  });
});

describe('createPoller applies the host policies', () => {
  useFakeClock();

  it('policy, loopback and default intervals, with exact request counts over 10 s', async () => {
    const { poller, net } = fakePoller({ hosts: [{ match: '*.hf.space', interval: 2500 }] });
    for (const url of [
      'https://x.hf.space/a',
      'https://evilhf.space/a',
      'http://127.1:8080/a',
      'http://[::1]:8080/a',
    ]) {
      poller.poll(url);
    }
    await vi.advanceTimersByTimeAsync(10_000);
    expect(net.count('https://x.hf.space')).toBe(5); // 0, 2.5, 5, 7.5, 10 s
    expect(net.count('https://evilhf.space')).toBe(6); // every 2 s
    expect(net.count('http://127.0.0.1:8080')).toBe(11); // every 1 s
    expect(net.count('http://[::1]:8080')).toBe(11);
  });
});

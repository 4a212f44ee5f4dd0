import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnnouncedQuota,
  type HeaderReader,
  readPollInterval,
  readRateLimit,
} from '../../src/pacing/rate-limit-headers.js';

// Thursday 15 January 2026, 12:00:00 UTC.
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const read = (fields: Record<string, string>, now = NOW) => readRateLimit(new Headers(fields), now);
const quota = (q: Partial<AnnouncedQuota>): AnnouncedQuota => ({
  policy: 'default',
  remaining: 0,
  resetMs: 0,
  limit: undefined,
  windowMs: undefined,
  ...q,
});
const none = { quotas: [], malformed: 0 };

describe('express-rate-limit 8.7.5: the strings its source (dist/index.mjs) writes', () => {
  // setDraft8Headers: append('RateLimit', `"${name}"; r=${remaining}; t=${resetSeconds}`) and
  // append('RateLimit-Policy', `"${name}"; q=${limit}; w=${windowSeconds}; pk=:${partitionKey}:`),
  // the name from the default identifier `${limit}-in-${seconds}sec`.
  it("standardHeaders: 'draft-8'", () => {
    expect(
      read({
        RateLimit: '"40-in-5sec"; r=39; t=5',
        'RateLimit-Policy': '"40-in-5sec"; q=40; w=5; pk=:MTJjYTE3YjQ5YWYy:',
      }),
    ).toEqual({
      quotas: [
        quota({ policy: '40-in-5sec', remaining: 39, resetMs: 5000, limit: 40, windowMs: 5000 }),
      ],
      malformed: 0,
    });
  });

  it("draft-8 with two limiters in front of one route: both quotas (append joins them with ', ')", () => {
    const headers = new Headers();
    headers.append('RateLimit', '"40-in-5sec"; r=0; t=3');
    headers.append('RateLimit', '"1000-in-1hr"; r=880; t=2000');
    headers.append('RateLimit-Policy', '"40-in-5sec"; q=40; w=5; pk=:MTJjYTE3YjQ5YWYy:');
    headers.append('RateLimit-Policy', '"1000-in-1hr"; q=1000; w=3600; pk=:MTJjYTE3YjQ5YWYy:');
    expect(readRateLimit(headers, NOW)).toEqual({
      quotas: [
        quota({ policy: '40-in-5sec', remaining: 0, resetMs: 3000, limit: 40, windowMs: 5000 }),
        quota({
          policy: '1000-in-1hr',
          remaining: 880,
          resetMs: 2_000_000,
          limit: 1000,
          windowMs: 3_600_000,
        }),
      ],
      malformed: 0,
    });
  });

  // setDraft7Headers: RateLimit-Policy `${limit};w=${windowSeconds}` and RateLimit
  // `limit=${limit}, remaining=${remaining}, reset=${resetSeconds}` (a Dictionary).
  it("standardHeaders: 'draft-7'", () => {
    expect(
      read({ RateLimit: 'limit=100, remaining=99, reset=60', 'RateLimit-Policy': '100;w=60' }),
    ).toEqual({
      quotas: [quota({ remaining: 99, resetMs: 60_000, limit: 100, windowMs: 60_000 })],
      malformed: 0,
    });
  });

  // setDraft6Headers: RateLimit-Policy, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset;
  // setLegacyHeaders: X-RateLimit-Limit/-Remaining, Date and X-RateLimit-Reset in epoch seconds.
  it("standardHeaders: 'draft-6' with legacyHeaders: the draft-6 fields win, nothing is malformed", () => {
    expect(
      read({
        Date: 'Thu, 15 Jan 2026 12:00:00 GMT',
        'RateLimit-Policy': '40;w=5',
        'RateLimit-Limit': '40',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '5',
        'X-RateLimit-Limit': '40',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': String(NOW / 1000 + 5),
      }),
    ).toEqual({
      quotas: [quota({ remaining: 0, resetMs: 5000, limit: 40, windowMs: 5000 })],
      malformed: 0,
    });
  });

  it('legacyHeaders alone: epoch seconds measured against the Date header', () => {
    expect(
      read({
        Date: 'Thu, 15 Jan 2026 12:00:00 GMT',
        'X-RateLimit-Limit': '40',
        'X-RateLimit-Remaining': '12',
        'X-RateLimit-Reset': String(NOW / 1000 + 4),
      }),
    ).toEqual({ quotas: [quota({ remaining: 12, resetMs: 4000, limit: 40 })], malformed: 0 });
  });
});

describe('RateLimit / RateLimit-Policy (draft-11 Structured-Field Lists)', () => {
  it('reads the draft examples, matching items to policies by name', () => {
    expect(read({ RateLimit: '"default";r=50;t=30' })).toEqual({
      quotas: [quota({ remaining: 50, resetMs: 30_000 })],
      malformed: 0,
    });
    expect(
      read({
        RateLimit: '"burst";r=0;t=12, "daily";r=500;t=40000',
        'RateLimit-Policy': '"burst";q=100;w=60, "daily";q=1000;w=86400',
      }).quotas,
    ).toEqual([
      quota({ policy: 'burst', remaining: 0, resetMs: 12_000, limit: 100, windowMs: 60_000 }),
      quota({
        policy: 'daily',
        remaining: 500,
        resetMs: 40_000_000,
        limit: 1000,
        windowMs: 86_400_000,
      }),
    ]);
  });

  it("without t, the policy's window bounds the reset; with neither, the item is unusable", () => {
    expect(read({ RateLimit: '"burst";r=3', 'RateLimit-Policy': '"burst";q=10;w=60' })).toEqual({
      quotas: [
        quota({ policy: 'burst', remaining: 3, resetMs: 60_000, limit: 10, windowMs: 60_000 }),
      ],
      malformed: 0,
    });
    expect(read({ RateLimit: '"burst";r=3', 'RateLimit-Policy': '"burst";q=10' })).toEqual({
      quotas: [],
      malformed: 1,
    });
    expect(read({ RateLimit: '"other";r=3', 'RateLimit-Policy': '"burst";q=10;w=60' })).toEqual({
      quotas: [],
      malformed: 1,
    });
  });

  it('an item naming no announced policy has no limit or window', () => {
    expect(read({ RateLimit: '"x";r=1;t=2', 'RateLimit-Policy': '"y";q=5;w=9' }).quotas).toEqual([
      quota({ policy: 'x', remaining: 1, resetMs: 2000 }),
    ]);
  });

  it('skips quotas in other units (their r counts bytes or slots), without calling them malformed', () => {
    expect(
      read({
        RateLimit: '"bytes";r=90000;t=10, "slots";r=2;t=1, "reqs";r=7;t=10',
        'RateLimit-Policy':
          '"bytes";q=2000000000000;qu="content-bytes";w=10, "slots";q=3;qu="concurrent-requests", "reqs";q=10;qu="requests";w=10',
      }),
    ).toEqual({
      quotas: [
        quota({ policy: 'reqs', remaining: 7, resetMs: 10_000, limit: 10, windowMs: 10_000 }),
      ],
      malformed: 0,
    });
    // qu must be a String (or token): a number there makes the policy unusable.
    expect(read({ RateLimit: '"a";r=1;t=1', 'RateLimit-Policy': '"a";q=5;qu=5' })).toEqual({
      quotas: [quota({ policy: 'a', remaining: 1, resetMs: 1000 })],
      malformed: 1,
    });
  });

  it('ignores unknown parameters and pk, in any order; a repeated parameter: the last wins', () => {
    const cases: [string, AnnouncedQuota][] = [
      ['"a";t=5;r=2', quota({ policy: 'a', remaining: 2, resetMs: 5000 })],
      [
        '"a";pk=:cHBwcA==:;t=5;x;y=?0;z=@1700000000;r=2',
        quota({ policy: 'a', remaining: 2, resetMs: 5000 }),
      ],
      ['"a";r=9;t=5;r=2;foo="bar;baz, qux"', quota({ policy: 'a', remaining: 2, resetMs: 5000 })],
      ['a;r=2;t=5', quota({ policy: 'a', remaining: 2, resetMs: 5000 })],
      ['"a";r=2;t=1.25', quota({ policy: 'a', remaining: 2, resetMs: 1250 })],
      ['"a";r=2;t=0.001', quota({ policy: 'a', remaining: 2, resetMs: 1 })],
      ['"a";r=2;t=0', quota({ policy: 'a', remaining: 2, resetMs: 0 })],
    ];
    for (const [field, expected] of cases) {
      expect(read({ RateLimit: field }), field).toEqual({ quotas: [expected], malformed: 0 });
    }
  });

  it('reads quoted names with commas, semicolons and escapes', () => {
    expect(
      read({ RateLimit: '"a,b";r=1;t=2, "q\\"uote\\\\d;x";r=3;t=4, "";r=5;t=6' }).quotas,
    ).toEqual([
      quota({ policy: 'a,b', remaining: 1, resetMs: 2000 }),
      quota({ policy: 'q"uote\\d;x', remaining: 3, resetMs: 4000 }),
      quota({ policy: '', remaining: 5, resetMs: 6000 }),
    ]);
  });

  it('drops and counts each bad member, keeps the good ones', () => {
    const field = [
      '"ok";r=1;t=1',
      '"neg";r=-1;t=1', // negative
      'garbage!!', // a bare token: no r
      '"no-r";t=5', // r is required
      '', // an empty member
      '"dec";r=1.5;t=1', // r must be an integer
      '"big";r=1000000001;t=1', // over the count cap
      '"far";r=1;t=604801', // reset over 7 days
      '"str";r="1";t=1', // r as a string
      '"long";r=1234567890123456;t=1', // 16 digits: not an SF integer
      '"frac";r=1;t=1.2345', // 4 fraction digits: not an SF decimal
      '"ünï";r=1;t=1', // not ASCII
      '"ok2";r=1000000000;t=604800', // at both caps
    ].join(', ');
    const { quotas, malformed } = read({ RateLimit: field });
    expect(quotas.map((q) => q.policy)).toEqual(['ok', 'ok2']);
    expect(quotas[1]).toEqual(quota({ policy: 'ok2', remaining: 1e9, resetMs: 604_800_000 }));
    expect(malformed).toBe(11);
  });

  it('counts bad policy members and keeps the good ones', () => {
    expect(
      read({
        RateLimit: '"a";r=1',
        'RateLimit-Policy':
          '"a";q=10;w=60, "b";w=60, "c";q=-1;w=1, "d";q=1;w=0, "e";q=1;w=31622401',
      }),
    ).toEqual({
      quotas: [quota({ policy: 'a', remaining: 1, resetMs: 60_000, limit: 10, windowMs: 60_000 })],
      malformed: 4,
    });
  });

  it('a policy whose window outlasts the reset cap bounds no reset (an item needs its own t)', () => {
    const policy = '"year";q=1000000;w=31536000';
    expect(read({ RateLimit: '"year";r=5', 'RateLimit-Policy': policy })).toEqual({
      quotas: [],
      malformed: 1,
    });
    expect(read({ RateLimit: '"year";r=5;t=60', 'RateLimit-Policy': policy }).quotas).toEqual([
      quota({
        policy: 'year',
        remaining: 5,
        resetMs: 60_000,
        limit: 1e6,
        windowMs: 31_536_000_000,
      }),
    ]);
  });

  it('an empty RateLimit field or a policy alone is no quota and nothing malformed', () => {
    expect(read({ RateLimit: '' })).toEqual(none);
    expect(read({ RateLimit: '   ' })).toEqual(none);
    expect(read({ 'RateLimit-Policy': '"a";q=10;w=60' })).toEqual(none);
  });
});

describe('RateLimit draft-07 Dictionary', () => {
  it('reads limit, remaining and reset; the window from the policy with that limit', () => {
    expect(
      read({ RateLimit: 'reset=7, remaining=1, limit=50', 'RateLimit-Policy': '10;w=1, 50;w=60' })
        .quotas,
    ).toEqual([quota({ remaining: 1, resetMs: 7000, limit: 50, windowMs: 60_000 })]);
    expect(read({ RateLimit: 'remaining=1, reset=7' }).quotas).toEqual([
      quota({ remaining: 1, resetMs: 7000 }),
    ]);
  });

  it('counts a bad value and a remaining count with no usable reset', () => {
    expect(read({ RateLimit: 'limit=x, remaining=1, reset=7' })).toEqual({
      quotas: [quota({ remaining: 1, resetMs: 7000 })],
      malformed: 1,
    });
    expect(read({ RateLimit: 'limit=5, remaining=1' })).toEqual({ quotas: [], malformed: 1 });
    expect(read({ RateLimit: 'limit=5, remaining=1, reset=-3' })).toEqual({
      quotas: [],
      malformed: 2,
    });
  });
});

describe('RateLimit-Limit / -Remaining / -Reset (drafts <= 06)', () => {
  it('reads the three fields; the limit field may carry its window', () => {
    const fields = { 'RateLimit-Remaining': '7', 'RateLimit-Reset': '12' };
    expect(read({ ...fields, 'RateLimit-Limit': '100' }).quotas).toEqual([
      quota({ remaining: 7, resetMs: 12_000, limit: 100 }),
    ]);
    expect(read({ ...fields, 'RateLimit-Limit': '100, 100;w=60' }).quotas).toEqual([
      quota({ remaining: 7, resetMs: 12_000, limit: 100, windowMs: 60_000 }),
    ]);
    expect(read({ ...fields, 'RateLimit-Limit': '100, 1000;w=3600, 100;w=60' }).quotas).toEqual([
      quota({ remaining: 7, resetMs: 12_000, limit: 100, windowMs: 60_000 }),
    ]);
    expect(read({ ...fields, 'RateLimit-Limit': '100;w=60' }).quotas).toEqual([
      quota({ remaining: 7, resetMs: 12_000, limit: 100, windowMs: 60_000 }),
    ]);
    expect(read(fields).quotas).toEqual([quota({ remaining: 7, resetMs: 12_000 })]);
    expect(read({ ...fields, 'RateLimit-Reset': '1.5' }).quotas).toEqual([
      quota({ remaining: 7, resetMs: 1500 }),
    ]);
  });

  it('counts garbage; a remaining count without a reset is unusable', () => {
    expect(read({ 'RateLimit-Remaining': '7' })).toEqual({ quotas: [], malformed: 1 });
    expect(read({ 'RateLimit-Remaining': 'seven', 'RateLimit-Reset': '5' })).toEqual({
      quotas: [],
      malformed: 1,
    });
    expect(read({ 'RateLimit-Remaining': '7, 8', 'RateLimit-Reset': '5' })).toEqual({
      quotas: [],
      malformed: 1,
    });
    expect(
      read({
        'RateLimit-Remaining': '7',
        'RateLimit-Reset': '5',
        'RateLimit-Limit': 'lots, 100;w=-1',
      }),
    ).toEqual({ quotas: [quota({ remaining: 7, resetMs: 5000 })], malformed: 2 });
    expect(read({ 'RateLimit-Remaining': '7', 'RateLimit-Reset': '604801' })).toEqual({
      quotas: [],
      malformed: 2,
    });
  });
});

describe('X-RateLimit-*', () => {
  // GitHub's documented example response.
  const github = {
    Date: 'Mon, 01 Jul 2013 17:27:06 GMT',
    'X-RateLimit-Limit': '60',
    'X-RateLimit-Remaining': '56',
    'X-RateLimit-Used': '4',
    'X-RateLimit-Reset': '1372700873', // 2013-07-01T17:47:53Z
  };

  it('reads GitHub: an epoch reset against the response Date, whatever the local clock says', () => {
    const expected = {
      quotas: [quota({ remaining: 56, resetMs: 1_247_000, limit: 60 })],
      malformed: 0,
    };
    expect(read(github, NOW)).toEqual(expected); // the local clock is 12 years ahead
    expect(read(github, 0)).toEqual(expected);
  });

  it('without a readable Date header, measures the epoch against now', () => {
    const fields = { 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': String(NOW / 1000 + 90) };
    expect(read(fields).quotas).toEqual([quota({ remaining: 5, resetMs: 90_000 })]);
    expect(read({ ...fields, Date: 'yesterday' }).quotas).toEqual([
      quota({ remaining: 5, resetMs: 90_000 }),
    ]);
  });

  it('tells a delta, epoch seconds and epoch ms apart by size', () => {
    const at = (reset: string) =>
      read({ 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': reset }).quotas[0]?.resetMs;
    expect(at('30')).toBe(30_000);
    expect(at('2.5')).toBe(2500);
    expect(at('604800')).toBe(604_800_000);
    expect(at(String(NOW / 1000 + 30))).toBe(30_000);
    expect(at(`${NOW / 1000 + 30}.123`)).toBe(30_123);
    expect(at(String(NOW + 30_000))).toBe(30_000);
    expect(at(String(NOW / 1000 - 30))).toBe(0); // an epoch already past: reset now
    expect(at(String(NOW - 30_000))).toBe(0);
  });

  it('counts resets out of the caps: a delta past 7 days, an epoch more than 7 days ahead', () => {
    for (const reset of [
      '604801',
      '999999999',
      String(NOW / 1000 + 604_801),
      '9'.repeat(400),
      '-5',
      '5s',
      '1e3',
    ]) {
      expect(
        read({ 'X-RateLimit-Remaining': '5', 'X-RateLimit-Reset': reset }),
        reset.slice(0, 20),
      ).toEqual({
        quotas: [],
        malformed: 2, // the reset field, and the remaining count it left unusable
      });
    }
  });

  it('prefers X-RateLimit-Reset-After (a delta, decimal allowed) over the epoch', () => {
    expect(
      read({
        'X-RateLimit-Limit': '5',
        'X-RateLimit-Remaining': '1',
        'X-RateLimit-Reset': `${NOW / 1000 + 64}.57`,
        'X-RateLimit-Reset-After': '64.57',
        Date: 'Thu, 15 Jan 2026 11:00:00 GMT', // an hour behind: the epoch would read 1 h 64 s
      }).quotas,
    ).toEqual([quota({ remaining: 1, resetMs: 64_570, limit: 5 })]);
    expect(read({ 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset-After': '0.3' }).quotas).toEqual(
      [quota({ remaining: 1, resetMs: 300 })],
    );
  });

  it('counts garbage counts, keeps the quota when only the limit is bad', () => {
    const reset = { 'X-RateLimit-Reset': '10' };
    expect(read({ ...reset, 'X-RateLimit-Remaining': '-1' })).toEqual({ quotas: [], malformed: 1 });
    expect(read({ ...reset, 'X-RateLimit-Remaining': '1000000001' })).toEqual({
      quotas: [],
      malformed: 1,
    });
    expect(read({ ...reset, 'X-RateLimit-Remaining': '2', 'X-RateLimit-Limit': '1.5' })).toEqual({
      quotas: [quota({ remaining: 2, resetMs: 10_000 })],
      malformed: 1,
    });
    expect(read({ ...reset, 'X-RateLimit-Limit': '60' })).toEqual(none); // nothing remaining said
  });
});

describe('families together, and header access', () => {
  it('the newest readable family wins; the losers count only their garbage', () => {
    const x = { 'X-RateLimit-Remaining': '9', 'X-RateLimit-Reset': '9' };
    const split = { 'RateLimit-Remaining': '8', 'RateLimit-Reset': '8' };
    const draft11 = { RateLimit: '"p";r=7;t=7' };
    expect(read({ ...x, ...split, ...draft11 })).toEqual({
      quotas: [quota({ policy: 'p', remaining: 7, resetMs: 7000 })],
      malformed: 0,
    });
    expect(read({ ...x, ...split })).toEqual({
      quotas: [quota({ remaining: 8, resetMs: 8000 })],
      malformed: 0,
    });
    expect(read({ ...x, ...draft11, 'X-RateLimit-Limit': 'many' })).toEqual({
      quotas: [quota({ policy: 'p', remaining: 7, resetMs: 7000 })],
      malformed: 1,
    });
    // An unusable newer family falls through to an older one that reads.
    expect(read({ ...x, RateLimit: '"p";r=-7;t=7' })).toEqual({
      quotas: [quota({ remaining: 9, resetMs: 9000 })],
      malformed: 1,
    });
  });

  it('reads any case of header name from Headers; asks a plain reader in lower case', () => {
    const fields = { rAtElImIt: '"p";r=7;t=7', 'RATELIMIT-POLICY': '"p";q=10;w=60' };
    const expected = [
      quota({ policy: 'p', remaining: 7, resetMs: 7000, limit: 10, windowMs: 60_000 }),
    ];
    expect(read(fields).quotas).toEqual(expected);
    const asked: string[] = [];
    const plain: HeaderReader = {
      get(name) {
        asked.push(name);
        return { ratelimit: '"p";r=7;t=7', 'ratelimit-policy': '"p";q=10;w=60' }[name] ?? null;
      },
    };
    expect(readRateLimit(plain, NOW)).toEqual({ quotas: expected, malformed: 0 });
    expect(asked.every((name) => name === name.toLowerCase())).toBe(true);
    expect(asked).toContain('x-ratelimit-reset');
  });

  it('a reader that throws or returns non-strings reads as no header', () => {
    const throwing: HeaderReader = {
      get() {
        throw new Error('boom');
      },
    };
    expect(readRateLimit(throwing, NOW)).toEqual(none);
    expect(readPollInterval(throwing)).toBeNull();
    const odd = { get: () => 42 } as unknown as HeaderReader;
    expect(readRateLimit(odd, NOW)).toEqual(none);
    expect(readPollInterval(odd)).toBeNull();
    expect(readRateLimit(null as unknown as HeaderReader, NOW)).toEqual(none);
    // Only the header that throws is missing.
    const partly: HeaderReader = {
      get(name) {
        if (name === 'date') throw new Error('boom');
        return (
          (
            { 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': String(NOW / 1000 + 2) } as Record<
              string,
              string
            >
          )[name] ?? null
        );
      },
    };
    expect(readRateLimit(partly, NOW).quotas).toEqual([quota({ remaining: 3, resetMs: 2000 })]);
  });

  it('a NaN clock makes an epoch unusable, not NaN', () => {
    expect(
      read({ 'X-RateLimit-Remaining': '1', 'X-RateLimit-Reset': '1768478400' }, Number.NaN),
    ).toEqual({
      quotas: [],
      malformed: 2,
    });
  });
});

describe('readPollInterval', () => {
  const poll = (value: string) => readPollInterval(new Headers({ 'X-Poll-Interval': value }));

  it('reads positive seconds as ms, clamped to a day', () => {
    expect(poll('60')).toBe(60_000);
    expect(poll(' 60 ')).toBe(60_000);
    expect(poll('0.5')).toBe(500);
    expect(poll('0.3')).toBe(300);
    expect(poll('0.0000001')).toBe(1);
    expect(poll('86400')).toBe(86_400_000);
    expect(poll('86401')).toBe(86_400_000);
    expect(poll('9'.repeat(400))).toBe(86_400_000);
    expect(readPollInterval(new Headers())).toBeNull();
  });

  it('reads zero, negatives and garbage as absent', () => {
    for (const value of ['0', '0.0', '-1', 'abc', '1e3', '60s', '1,2', '.5', 'Infinity', 'NaN']) {
      expect(poll(value), value).toBeNull();
    }
  });
});

describe('properties', () => {
  const RATE_LIMIT_FIELDS = [
    'ratelimit',
    'ratelimit-policy',
    'ratelimit-limit',
    'ratelimit-remaining',
    'ratelimit-reset',
    'x-ratelimit-limit',
    'x-ratelimit-remaining',
    'x-ratelimit-reset',
    'x-ratelimit-reset-after',
    'date',
    'x-poll-interval',
  ];
  // Strings built from the characters these grammars care about, and arbitrary ones.
  const sfChar = fc.constantFrom(
    ...'"\\;=,:?*@%-.0123456789 \trtqwpk'.split(''),
    'r=',
    't=',
    'q=',
    'w=',
    '"a"',
  );
  // Values close to valid, so the property also sees quotas: numbers of any sign and size.
  const number = fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 100 }).map(String), weight: 4 },
    fc.integer({ min: -5, max: 2e9 }).map(String),
    fc.double({ min: -1, max: 1e13, noNaN: true }).map((n) => n.toFixed(3)),
    fc.constantFrom('1e3', '-0', '0', '1372700873', '9'.repeat(30)),
  );
  const param = fc.tuple(fc.constantFrom('r', 't', 'q', 'w', 'qu', 'pk', 'R'), number);
  const member = fc
    .tuple(
      fc.constantFrom('"a"', '"b"', 'a', '5', '"a,b"', ''),
      number,
      number,
      fc.array(param, { maxLength: 3 }),
    )
    .map(([name, r, t, more]) => {
      const params = [['r', r], ['t', t], ...more].map(([k, v]) => `;${k}=${v}`);
      return name + params.join('');
    });
  const field = fc.oneof(
    {
      arbitrary: fc.array(member, { minLength: 1, maxLength: 3 }).map((m) => m.join(', ')),
      weight: 3,
    },
    { arbitrary: number, weight: 3 },
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(sfChar, { maxLength: 40 }).map((parts) => parts.join('')),
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map(String),
    fc.double().map(String),
  );
  const fields = fc.dictionary(fc.constantFrom(...RATE_LIMIT_FIELDS), field);
  const now = fc.oneof(fc.integer(), fc.double(), fc.constant(NOW));

  it('readRateLimit never throws; every quota is finite, integer and non-negative', () => {
    let withQuotas = 0;
    fc.assert(
      fc.property(fields, now, (values, at) => {
        const reader: HeaderReader = { get: (name) => values[name] ?? null };
        const { quotas, malformed } = readRateLimit(reader, at);
        if (quotas.length > 0) withQuotas++;
        expect(Number.isInteger(malformed) && malformed >= 0).toBe(true);
        for (const q of quotas) {
          expect(Number.isInteger(q.remaining) && q.remaining >= 0 && q.remaining <= 1e9).toBe(
            true,
          );
          expect(Number.isInteger(q.resetMs) && q.resetMs >= 0 && q.resetMs <= 604_800_000).toBe(
            true,
          );
          if (q.limit !== undefined) expect(Number.isInteger(q.limit) && q.limit >= 0).toBe(true);
          if (q.windowMs !== undefined)
            expect(Number.isInteger(q.windowMs) && q.windowMs > 0).toBe(true);
          expect(typeof q.policy).toBe('string');
        }
      }),
      { seed: 9_101, numRuns: 2000 },
    );
    // Not vacuous: a good share of the runs read a quota.
    expect(withQuotas).toBeGreaterThan(100);
  });

  it('readPollInterval never throws and returns null or whole ms in 1..one day', () => {
    fc.assert(
      fc.property(field, (value) => {
        const ms = readPollInterval({ get: (name) => (name === 'x-poll-interval' ? value : null) });
        if (ms !== null) expect(Number.isInteger(ms) && ms >= 1 && ms <= 86_400_000).toBe(true);
      }),
      { seed: 9_102, numRuns: 2000 },
    );
  });

  it('draft-11 round trip: any r and t within the caps read back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.integer({ min: 0, max: 604_800 }),
        fc.string({ unit: fc.constantFrom(...'ab ,;="\\'.split('')) }),
        (r, t, name) => {
          const quoted = `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
          const { quotas, malformed } = read({ RateLimit: `${quoted};r=${r};t=${t}` });
          expect(malformed).toBe(0);
          expect(quotas).toEqual([quota({ policy: name, remaining: r, resetMs: t * 1000 })]);
        },
      ),
      { seed: 9_103, numRuns: 500 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BareItem,
  integerOf,
  nameOf,
  numberOf,
  parseDictMember,
  parseList,
  parseMember,
  splitMembers,
  trimOws,
} from '../../src/pacing/structured-fields.js';

/** The bare item of a member with no parameters, or null when it does not parse. */
const bare = (text: string): BareItem | null => {
  const item = parseMember(text);
  if (item === null) return null;
  expect(item.params.size, text).toBe(0);
  return item.value;
};

/** A list's items as [bare item, parameters], and how many members were dropped. */
const list = (field: string | null) => {
  const count = { malformed: 0 };
  const items = parseList(field, count).map((item) => [
    item.value,
    Object.fromEntries(item.params),
  ]);
  return { items, malformed: count.malformed };
};

const integer = (value: number): BareItem => ({ type: 'integer', value });
const decimal = (value: number): BareItem => ({ type: 'decimal', value });
const string = (value: string): BareItem => ({ type: 'string', value });
const token = (value: string): BareItem => ({ type: 'token', value });
const TRUE: BareItem = { type: 'boolean', value: true };

describe('bare items (RFC 9651 §4.2.3)', () => {
  it('integers: at most 15 digits, an optional minus; -0 is 0', () => {
    expect(bare('0')).toEqual(integer(0));
    expect(bare('42')).toEqual(integer(42));
    expect(bare('-5')).toEqual(integer(-5));
    expect(Object.is((bare('-0') as { value: number }).value, 0)).toBe(true);
    expect(bare('007')).toEqual(integer(7));
    expect(bare('999999999999999')).toEqual(integer(999_999_999_999_999));
    for (const bad of ['1000000000000000', '+1', '- 1', '1e3', '0x10', '1_000', '--1']) {
      expect(bare(bad), bad).toBeNull();
    }
  });

  it('decimals: at most 12 digits before the dot, 1 to 3 after', () => {
    expect(bare('1.5')).toEqual(decimal(1.5));
    expect(bare('-1.25')).toEqual(decimal(-1.25));
    expect(bare('0.001')).toEqual(decimal(0.001));
    expect(bare('123456789012.123')).toEqual(decimal(123_456_789_012.123));
    expect(Object.is((bare('-0.0') as { value: number }).value, 0)).toBe(true);
    for (const bad of ['1234567890123.1', '1.', '1.2345', '.5', '1.2.3', '1,5']) {
      expect(bare(bad), bad).toBeNull();
    }
  });

  it('strings: printable ASCII, with \\" and \\\\ the only escapes', () => {
    expect(bare('""')).toEqual(string(''));
    expect(bare('"a,b;c=d"')).toEqual(string('a,b;c=d'));
    expect(bare(String.raw`"q\"uote\\d"`)).toEqual(string('q"uote\\d'));
    expect(bare('" ~!"')).toEqual(string(' ~!'));
    for (const bad of ['"open', String.raw`"\n"`, String.raw`"a\"`, '"ünï"', '"tab\t"', '"a"b']) {
      expect(bare(bad), bad).toBeNull();
    }
  });

  it('tokens start with a letter or *, then tchar, : and /', () => {
    expect(bare('a')).toEqual(token('a'));
    expect(bare('Foo')).toEqual(token('Foo'));
    expect(bare('*')).toEqual(token('*'));
    expect(bare("a!#$%&'*+-.^_`|~0:/Z")).toEqual(token("a!#$%&'*+-.^_`|~0:/Z"));
    for (const bad of ['_a', '/a', 'a b', 'a"b', 'a(b']) expect(bare(bad), bad).toBeNull();
  });

  it('byte sequences, booleans and dates parse (their values matter to nobody here)', () => {
    expect(bare(':cHBwcA==:')).toEqual({ type: 'bytes', value: 'cHBwcA==' });
    expect(bare('::')).toEqual({ type: 'bytes', value: '' });
    expect(bare('?1')).toEqual(TRUE);
    expect(bare('?0')).toEqual({ type: 'boolean', value: false });
    expect(bare('@1700000000')).toEqual({ type: 'date', value: 1_700_000_000 });
    expect(bare('@-1')).toEqual({ type: 'date', value: -1 });
    for (const bad of [':abc', ':a b:', '?2', '?', '@1.5', '@', '@x', '%"display"', '', '(1 2)']) {
      expect(bare(bad), bad).toBeNull();
    }
  });

  it('accessors: a name is a string or a token, a number an integer or a decimal', () => {
    expect(nameOf(string('a'))).toBe('a');
    expect(nameOf(token('b'))).toBe('b');
    expect(nameOf(integer(1))).toBeNull();
    expect(nameOf(undefined)).toBeNull();
    expect(numberOf(integer(3))).toBe(3);
    expect(numberOf(decimal(1.5))).toBe(1.5);
    expect(numberOf(string('3'))).toBeUndefined();
    expect(numberOf({ type: 'date', value: 3 })).toBeUndefined();
    expect(integerOf(integer(3))).toBe(3);
    expect(integerOf(decimal(3))).toBeUndefined();
    expect(integerOf(undefined)).toBeUndefined();
  });
});

describe('parameters', () => {
  it('reads ;key=value and bare ;key (true); a later duplicate overrides an earlier one', () => {
    expect(list('"a";r=1;t=2.5;x;y=?0;pk=:cHBwcA==:;r=3')).toEqual({
      items: [
        [
          string('a'),
          {
            r: integer(3),
            t: decimal(2.5),
            x: TRUE,
            y: { type: 'boolean', value: false },
            pk: { type: 'bytes', value: 'cHBwcA==' },
          },
        ],
      ],
      malformed: 0,
    });
  });

  it('keys are lower case: a-z or * first, then a-z, 0-9, _, -, . and *', () => {
    expect(list('1;*k-1.x_y*=2').items).toEqual([[integer(1), { '*k-1.x_y*': integer(2) }]]);
    for (const bad of ['1;R=1', '1;1a=1', '1;-a=1', '1;=1', '1;', '1;a=', '1;a=%"x"']) {
      expect(list(bad), bad).toEqual({ items: [], malformed: 1 });
    }
  });

  it('takes spaces after ; and nowhere else inside a member', () => {
    expect(list('"a";  r=1; t=2').items).toEqual([[string('a'), { r: integer(1), t: integer(2) }]]);
    for (const bad of ['"a" ;r=1', '"a";r =1', '"a";r= 1', '"a";\tr=1', '"a" "b"']) {
      expect(list(bad), bad).toEqual({ items: [], malformed: 1 });
    }
  });
});

describe('lists', () => {
  it('splits at commas outside strings; members are trimmed of SP and HTAB only', () => {
    expect(splitMembers('a, "b,c" ,\t"d\\",e"  ')).toEqual(['a', '"b,c"', '"d\\",e"']);
    expect(splitMembers('a,,b')).toEqual(['a', '', 'b']);
    expect(splitMembers('')).toEqual(['']);
    expect(trimOws(' \t a b \t ')).toBe('a b');
    expect(trimOws('\na\r')).toBe('\na\r');
  });

  it('an escaped backslash does not escape the quote after it', () => {
    expect(splitMembers(String.raw`"b\\", "c\\\"", d`)).toEqual([
      String.raw`"b\\"`,
      String.raw`"c\\\""`,
      'd',
    ]);
  });

  it('drops and counts each member that does not parse, keeps the others', () => {
    expect(list('1, garbage<>, , "x";r=2, 1.2345, 3')).toEqual({
      items: [
        [integer(1), {}],
        [string('x'), { r: integer(2) }],
        [integer(3), {}],
      ],
      malformed: 3,
    });
    expect(list(null)).toEqual({ items: [], malformed: 0 });
  });

  it('an unbalanced quote swallows the members after it (RFC 9651 would drop the whole field)', () => {
    expect(list('"ok";r=1, "open;r=1, "b";r=1')).toEqual({
      items: [[string('ok'), { r: integer(1) }]],
      malformed: 1,
    });
  });

  it('inner lists are not read', () => {
    expect(list('(1 2);a=1, 3')).toEqual({ items: [[integer(3), {}]], malformed: 1 });
  });
});

describe('dictionary members', () => {
  it('key=item is explicit; a bare key is true, with or without parameters', () => {
    expect(parseDictMember('remaining=5')).toEqual({
      key: 'remaining',
      item: { value: integer(5), params: new Map() },
      explicit: true,
    });
    expect(parseDictMember('reset=1.5;x')).toEqual({
      key: 'reset',
      item: { value: decimal(1.5), params: new Map([['x', TRUE]]) },
      explicit: true,
    });
    expect(parseDictMember('flag')).toEqual({
      key: 'flag',
      item: { value: TRUE, params: new Map() },
      explicit: false,
    });
    expect(parseDictMember('flag;a=1')).toEqual({
      key: 'flag',
      item: { value: TRUE, params: new Map([['a', integer(1)]]) },
      explicit: false,
    });
  });

  it('a bad key, a missing value or anything after the member is no member', () => {
    for (const bad of [
      'Limit=1',
      'limit=',
      '=1',
      'limit =1',
      'limit=1 x',
      'limit;=1',
      '"a"=1',
      '',
    ]) {
      expect(parseDictMember(bad), bad).toBeNull();
    }
  });
});

describe('properties', () => {
  // Characters the grammar cares about, and arbitrary strings.
  const sfChar = fc.constantFrom(...'"\\;=,:?*@%()-.0123456789 \tarqAZ'.split(''));
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.array(sfChar, { maxLength: 40 }).map((parts) => parts.join('')),
  );

  it('never throws, and counts every member it drops', () => {
    fc.assert(
      fc.property(text, (field) => {
        const count = { malformed: 0 };
        const items = parseList(field, count);
        expect(items.length + count.malformed).toBe(splitMembers(field).length);
        for (const member of splitMembers(field)) parseDictMember(member);
      }),
      { seed: 9_201, numRuns: 3000 },
    );
  });

  it('round trip: integers, decimals, strings and tokens read back exactly', () => {
    const value = fc.oneof(
      fc.integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 }).map((n) => [String(n), integer(n)]),
      fc
        .integer({ min: -(10 ** 15) + 1, max: 10 ** 15 - 1 })
        .map((n) => [(n / 1000).toFixed(3), decimal(Number((n / 1000).toFixed(3)) + 0)]),
      fc
        .string({ unit: fc.constantFrom(...' a,;="\\~'.split('')) })
        .map((s) => [`"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`, string(s)]),
      fc.stringMatching(/^[a-z*][a-z0-9:/*.-]{0,8}$/).map((s) => [s, token(s)]),
    );
    fc.assert(
      fc.property(value, value, ([a, expectedA], [b, expectedB]) => {
        expect(list(`${a};p=${b}, ${b}`)).toEqual({
          items: [
            [expectedA, { p: expectedB }],
            [expectedB, {}],
          ],
          malformed: 0,
        });
      }),
      { seed: 9_202, numRuns: 1000 },
    );
  });
});

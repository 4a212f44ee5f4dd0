import { describe, expect, it } from 'vitest';
import { chunkKeys } from '../../src/resource/chunk-keys.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const sizes = (chunks: unknown[][]) => chunks.map((c) => c.length);

describe('chunkKeys by count', () => {
  it('splits 200 keys into 64+64+64+8, in order, every key once', () => {
    const keys = range(200);
    const chunks = chunkKeys(keys, 64);
    expect(sizes(chunks)).toEqual([64, 64, 64, 8]);
    expect(chunks.flat()).toEqual(keys);
  });

  it('an exact multiple leaves no empty chunk; fewer keys than maxSize make one chunk', () => {
    expect(sizes(chunkKeys(range(128), 64))).toEqual([64, 64]);
    expect(sizes(chunkKeys(range(5), 64))).toEqual([5]);
    expect(sizes(chunkKeys(range(3), 1))).toEqual([1, 1, 1]);
  });

  it('no keys: no chunks', () => {
    expect(chunkKeys([], 64)).toEqual([]);
  });
});

describe('chunkKeys by URL length', () => {
  const base = 'http://api.test/items?ids=';
  const urlFor = (keys: readonly string[]) => `${base}${keys.join(',')}`;

  it('stops a chunk before its URL passes maxUrlLength; each chunk is as full as it may be', () => {
    // 10 keys of 9 characters: base (26) + n*9 + (n-1) commas = 25 + 10n.
    const keys = Array.from({ length: 10 }, (_, i) => `key-${String(i).padStart(5, '0')}`);
    const chunks = chunkKeys(keys, 64, urlFor, 60); // 25 + 10n <= 60 → n <= 3
    expect(sizes(chunks)).toEqual([3, 3, 3, 1]);
    expect(chunks.flat()).toEqual(keys);
    for (const chunk of chunks) expect(urlFor(chunk).length).toBeLessThanOrEqual(60);
    // One more key would not have fitted.
    expect(urlFor([...(chunks[0] as string[]), keys[3] as string]).length).toBeGreaterThan(60);
  });

  it('a URL exactly maxUrlLength long still fits', () => {
    const keys = ['aaaa', 'bbbb', 'cccc'];
    const exact = urlFor(['aaaa', 'bbbb']).length;
    expect(sizes(chunkKeys(keys, 64, urlFor, exact))).toEqual([2, 1]);
    expect(sizes(chunkKeys(keys, 64, urlFor, exact - 1))).toEqual([1, 1, 1]);
  });

  it('maxSize still applies when the URLs are short', () => {
    expect(sizes(chunkKeys(['a', 'b', 'c', 'd', 'e'], 2, urlFor, 10_000))).toEqual([2, 2, 1]);
  });

  it('a single key whose URL alone is too long gets a chunk of its own (the server decides)', () => {
    const long = 'x'.repeat(100);
    const chunks = chunkKeys(['a', long, 'b', 'c'], 64, urlFor, 40);
    expect(chunks).toEqual([['a'], [long], ['b', 'c']]);
  });
});

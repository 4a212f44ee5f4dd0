import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readme, section } from './markdown.js';

// The CORS recipe tells server owners which response headers to expose. It must name exactly
// the headers pollwise reads (a header it never reads is a wasted change on someone's server;
// one it reads but the README omits silently degrades to the defaults).

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

/** CORS-safelisted response headers: readable cross-origin without being exposed. */
const SAFELISTED = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Response headers src/ reads by name: `headers.get('etag')`, `response.headers.get("date")`,
 * and helpers called with the headers first, such as `safeGet(headers, 'retry-after')`.
 */
function headersReadBySource(): Map<string, string[]> {
  const reads = [
    /\bheaders\??\.get\(\s*(['"`])([\w-]+)\1/gi,
    /\b\w*get\w*\(\s*[\w.]*headers\s*,\s*(['"`])([\w-]+)\1/gi,
  ];
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of reads) {
      for (const match of text.matchAll(pattern)) {
        const name = match[2]!.toLowerCase();
        const line = text.slice(0, match.index).split('\n').length;
        const where = `src/${relative(SRC, file)}:${line}`;
        found.set(name, [...(found.get(name) ?? []), where]);
      }
    }
  }
  return found;
}

function exposedInReadme(): string[] {
  const { body } = section(markdown, /^CORS\b/);
  const lines = body.split('\n').filter((l) => /^\s*Access-Control-Expose-Headers:/i.test(l));
  expect(lines, 'the CORS recipe shows one Access-Control-Expose-Headers line').toHaveLength(1);
  return lines[0]!
    .replace(/^\s*Access-Control-Expose-Headers:/i, '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
}

const markdown = readme();

describe('README CORS recipe', () => {
  it('finds the headers src/ reads (the grep still works)', () => {
    const read = headersReadBySource();
    // If a refactor hides these behind constants, this grep must learn the new form.
    expect([...read.keys()]).toEqual(expect.arrayContaining(['retry-after', 'date', 'etag']));
  });

  it('lists exactly the non-safelisted response headers pollwise reads', () => {
    const read = headersReadBySource();
    const needed = [...read.keys()].filter((h) => !SAFELISTED.has(h)).sort();
    const listed = exposedInReadme().sort();
    const unread = listed.filter((h) => !read.has(h));
    const missing = needed.filter((h) => !listed.includes(h));
    expect({ unread, missing }, `src reads: ${JSON.stringify(Object.fromEntries(read))}`).toEqual({
      unread: [],
      missing: [],
    });
    expect(listed).toEqual(needed);
  });
});

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeBlocks, README_PATH, readme } from './markdown.js';

// Links inside the README resolve: `#anchors` to a heading (GitHub's slugs), relative paths to a
// file of the repository.

const markdown = readme();

/** The text outside fenced code blocks (fences blanked, so line numbers stay). */
function prose(text: string): string {
  const lines = text.split('\n');
  for (const block of codeBlocks(text)) {
    const last = block.line + block.code.split('\n').length;
    for (let i = block.line - 1; i <= last && i < lines.length; i++) lines[i] = '';
  }
  return lines.join('\n');
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, -1 for repeats. */
function slugs(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of prose(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = match[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

const links = [...prose(markdown).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);

describe('README links', () => {
  it('every #anchor names a heading', () => {
    const anchors = slugs(markdown);
    const broken = links.filter((l) => l.startsWith('#') && !anchors.has(l.slice(1)));
    expect(broken).toEqual([]);
  });

  it('every relative link is a file of the repository', () => {
    const root = dirname(README_PATH);
    const broken = links
      .filter((l) => !/^(#|[a-z]+:)/i.test(l))
      .filter((l) => !existsSync(join(root, l.split('#')[0]!)));
    expect(broken).toEqual([]);
  });
});

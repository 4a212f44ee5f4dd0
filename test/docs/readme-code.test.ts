import { beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, readme, typeScriptBlocks } from './markdown.js';
import { type BlockProblem, typeCheckBlocks } from './readme-typecheck.js';

// Every ```ts / ```typescript block of the README compiles, as pasted, in an app created with
// create-vite's vanilla-ts template (its strict tsconfig: no unused locals or parameters,
// erasable syntax only, bundler resolution), without top-level await (Vite 5 and 6 build for
// es2020 by default, which has none). A block may opt out with `<!-- no-check: why -->`
// on the line right before its fence; use it for code that needs packages this repo does not
// install, never to hide a broken example.

const markdown = readme();
const blocks = typeScriptBlocks(markdown);
const checked = blocks.filter((b) => !b.noCheck);
const skipped = blocks.filter((b) => b.noCheck);
const name = (b: CodeBlock) => `README.md:${b.line} (\`\`\`${b.lang})`;

describe('README code blocks type-check', () => {
  let problems: Map<number, BlockProblem[]>;
  // One program for every block: lib.dom and the sources are parsed once.
  beforeAll(() => {
    problems = typeCheckBlocks(checked);
  }, 60_000);

  it('has TypeScript blocks to check, and marks few of them no-check', () => {
    expect(checked.length).toBeGreaterThanOrEqual(10);
    expect(skipped.length).toBeLessThanOrEqual(2);
  });

  it('has no TypeScript block in a fence the test would not see (```js, ```jsx, no language)', () => {
    const unseen = codeBlocks(markdown).filter((b) =>
      ['js', 'jsx', 'javascript', 'mts'].includes(b.lang),
    );
    expect(unseen.map(name)).toEqual([]);
  });

  it.each(checked.map((b) => [name(b), b] as const))('%s compiles', (_name, block) => {
    const found = (problems.get(block.line) ?? []).map((p) => `README.md:${p.line}: ${p.message}`);
    expect(found).toEqual([]);
  });

  it.skip.each(skipped.map((b) => [name(b)] as const))('%s (marked no-check)', () => {});
});

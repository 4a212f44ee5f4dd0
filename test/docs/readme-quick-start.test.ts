// @vitest-environment happy-dom
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readme, section, typeScriptBlocks } from './markdown.js';
import { MODULE_PATHS } from './readme-typecheck.js';

// The quick start does something when pasted: run as the main module of a page holding
// create-vite's `<div id="app">`, it fills that element with the polled data (the issue found
// the old one ended with dispose() and showed nothing).

const RUN_BASE = join(dirname(fileURLToPath(import.meta.url)), '.readme-run');
let runDir: string | undefined;

function quickStart(): string {
  const markdown = readme();
  const start = section(markdown, /^Quick start$/);
  const end = start.line + start.body.split('\n').length;
  const block = typeScriptBlocks(markdown).find((b) => b.line > start.line && b.line < end);
  if (block === undefined) throw new Error('the Quick start section has no ```ts block');
  // The app imports the package; here the package is src/.
  return block.code.replace(/(from\s+)(['"])(pollwise(?:\/\w+)?)\2/g, (_m, from, q, name) => {
    const target = MODULE_PATHS[name as string];
    if (target === undefined) throw new Error(`no mapping for ${name}`);
    return `${from}${q}${target}${q}`;
  });
}

afterAll(() => {
  if (runDir !== undefined) rmSync(runDir, { recursive: true, force: true });
});

describe('README quick start', () => {
  it('shows the polled data in #app when run as a page main module', async () => {
    const requests: string[] = [];
    const body = JSON.stringify({ rate: { limit: 60, remaining: 57, reset: 1_900_000_000 } });
    vi.stubGlobal('fetch', async (input: RequestInfo | URL) => {
      requests.push(String(input instanceof Request ? input.url : input));
      return new Response(body, { headers: { 'content-type': 'application/json', etag: '"v1"' } });
    });
    document.body.innerHTML = '<div id="app"></div>';
    const app = document.querySelector('#app')!;

    mkdirSync(RUN_BASE, { recursive: true });
    runDir = mkdtempSync(join(RUN_BASE, 'run-'));
    const file = join(runDir, 'main.ts');
    writeFileSync(file, quickStart());
    await import(pathToFileURL(file).href);

    await vi.waitFor(() => expect(app.textContent).toMatch(/^57 of 60 GitHub API calls left/), {
      timeout: 5000,
    });
    expect(requests).toEqual(['https://api.github.com/rate_limit']);
  });
});

// Compiles a Svelte 5 component from source in a test and loads it with Svelte's client runtime.
// Vitest resolves `svelte` without the `browser` condition (its server build, whose mount()
// throws), so the compiled module and the test both load the client files by absolute URL: one
// runtime instance, loaded by Node. The module is imported from a data: URL (no temp files).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Component } from 'svelte';
import { compile } from 'svelte/compiler';

const svelteDir = dirname(createRequire(import.meta.url).resolve('svelte/package.json'));
const exportsMap = JSON.parse(readFileSync(join(svelteDir, 'package.json'), 'utf8'))
  .exports as Record<string, { browser?: string; default?: string }>;

/** The file URL of a `svelte/...` import as a browser bundler resolves it. */
function clientUrl(specifier: string): string {
  const entry = exportsMap[specifier === 'svelte' ? '.' : `./${specifier.slice('svelte/'.length)}`];
  const file = entry?.browser ?? entry?.default;
  if (file === undefined) throw new Error(`no client file for ${specifier}`);
  return pathToFileURL(join(svelteDir, file)).href;
}

/** Svelte's client runtime: mount, unmount, flushSync. */
export async function svelteClient(): Promise<typeof import('svelte')> {
  return import(/* @vite-ignore */ clientUrl('svelte'));
}

/** `source` compiled for the client (Svelte 5; runes or legacy syntax), loaded as a module. */
export async function compileComponent<Props extends Record<string, unknown>>(
  source: string,
  filename = 'Test.svelte',
): Promise<Component<Props>> {
  const { js } = compile(source, { generate: 'client', filename });
  const code = js.code.replace(
    /\b(from|import)\s*(["'])(svelte(?:\/[\w/-]+)?)\2/g,
    (_, keyword, _quote, specifier) => `${keyword} ${JSON.stringify(clientUrl(specifier))}`,
  );
  const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
  return (await import(/* @vite-ignore */ url)).default;
}

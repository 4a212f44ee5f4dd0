// `myKy.extend(politeKy(poller))` must type-check against the app's own ky, 1.x or 2.x, with no
// cast: a consumer project is type-checked with ky 1's and with ky 2's declarations.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KY2_VERSION, ky2Dir, offline } from './ky-versions.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/** tsc's output for a consumer of src/ky whose `ky` is the package at `kyDir` ('' when clean). */
async function typecheck(kyDir: string, major: 1 | 2): Promise<string> {
  // The two majors' own spellings: ky 2 renamed prefixUrl and passes hooks a state object.
  const prefixOption = major === 1 ? 'prefixUrl' : 'prefix';
  const appHook = major === 1 ? '(error) => error' : '({ error }) => error';
  const dir = mkdtempSync(path.join(tmpdir(), 'pollwise-ky-types-'));
  try {
    mkdirSync(path.join(dir, 'node_modules'));
    symlinkSync(kyDir, path.join(dir, 'node_modules', 'ky'), 'dir');
    const src = (file: string) => JSON.stringify(path.join(root, 'src', file));
    writeFileSync(
      path.join(dir, 'index.ts'),
      [
        "import ky, { type KyInstance } from 'ky';",
        `import { createPoller } from ${src('index.js')};`,
        `import { politeKy } from ${src('ky/index.js')};`,
        'const poller = createPoller();',
        `const base = ky.create({ ${prefixOption}: 'https://api.test', retry: 0 });`,
        'export const api: KyInstance = base.extend(politeKy(poller));',
        "export const data: Promise<{ n: number }> = api.get('x').json<{ n: number }>();",
        // The measured bug's setup: the instance already on wrapFetch, then the hooks.
        'export const both: KyInstance = ky',
        `  .create({ fetch: poller.wrapFetch(), hooks: { beforeError: [${appHook}] } })`,
        '  .extend(politeKy(poller));',
        // The type check is live: passing politeKy itself, not its result, is an error.
        '// @ts-expect-error politeKy(poller), not politeKy',
        'export const wrong = ky.extend(politeKy);',
      ].join('\n'),
    );
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM', 'DOM.Iterable'],
          types: [],
          strict: true,
          skipLibCheck: true,
          noEmit: true,
        },
        files: ['index.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    return await run(process.execPath, [tsc, '-p', dir], { timeout: 90_000 }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('politeKy types', () => {
  it('myKy.extend(politeKy(poller)) type-checks with ky 1', async () => {
    expect(await typecheck(path.join(root, 'node_modules', 'ky'), 1)).toBe('');
  }, 90_000);

  it.skipIf(offline)(
    `myKy.extend(politeKy(poller)) type-checks with ky ${KY2_VERSION}`,
    async () => {
      expect(await typecheck(await ky2Dir(), 2)).toBe('');
    },
    180_000,
  );
});

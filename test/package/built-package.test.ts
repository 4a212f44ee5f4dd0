import { execFile, execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startLoopbackServer } from '../support/loopback-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = (file: string) => path.join(root, 'dist', file);

/** Newest modification time among the files under `dir` (recursively). */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1; // missing
  }
}

/** Builds with tsup when an entry is missing or older than the sources (fresh `npm test`). */
function ensureBuilt(): void {
  const sources = Math.max(
    newestMtime(path.join(root, 'src')),
    mtime(path.join(root, 'tsup.config.ts')),
  );
  const built = Math.min(mtime(dist('index.js')), mtime(dist('index.cjs')));
  if (built >= sources) return;
  // The build script, not bare tsup: it also fixes the ky type import of dist/index.d.cts.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 120_000, stdio: 'pipe' });
}

/**
 * Runs in the child before the package loads: `window` and `document` become getters that
 * record the access and throw, for the whole of import + createPoller. Then they are removed,
 * so the poll runs in plain Node with no DOM at all.
 */
const TRAP = `
const accessed = [];
let phase = 'import';
for (const name of ['window', 'document']) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      accessed.push(name + ' during ' + phase);
      throw new Error('pollwise touched ' + name + ' during ' + phase);
    },
  });
}
const untrap = () => {
  delete globalThis.window;
  delete globalThis.document;
};
`;

/** Shared by both children: create a poller on the global fetch, poll once, print, exit. */
const POLL = `
phase = 'createPoller';
const poller = pollwise.createPoller({ fetch: globalThis.fetch });
phase = 'poll';
untrap();
const data = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no data within 5 s')), 5000);
  poller.poll(process.env.POLL_URL, {
    onData: (d) => { clearTimeout(timer); resolve(d); },
    onError: (e) => { clearTimeout(timer); reject(e); },
  });
});
const stats = poller.stats();
poller.dispose();
console.log(JSON.stringify({ data, accessed, sent: stats.sent, exports: Object.keys(pollwise).sort() }));
`;

const ESM_CHILD = `${TRAP}
const pollwise = await import(process.env.POLLWISE_ENTRY);
${POLL}`;

const CJS_CHILD = `${TRAP}
const pollwise = require(process.env.POLLWISE_ENTRY);
(async () => {
${POLL}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});`;

interface ChildReport {
  data: unknown;
  accessed: string[];
  sent: number;
  exports: string[];
}

describe('the built package in plain Node (no DOM)', () => {
  let server: Awaited<ReturnType<typeof startLoopbackServer>>;
  let served = 0;

  beforeAll(async () => {
    ensureBuilt();
    server = await startLoopbackServer((req, res) => {
      served++;
      sendJson(res, 200, { hello: 'pollwise', path: req.url, n: served });
    });
  }, 130_000);

  afterAll(async () => {
    await server?.close();
  });

  async function runChild(args: string[], entry: string, path: string): Promise<ChildReport> {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: root,
      timeout: 15_000,
      env: { ...process.env, POLLWISE_ENTRY: entry, POLL_URL: `${server.origin}${path}` },
    });
    expect(stderr).toBe('');
    return JSON.parse(stdout.trim()) as ChildReport;
  }

  it('ESM: import(dist/index.js) touches no window/document, polls a real server, exits', async () => {
    const before = server.requests.length;
    const report = await runChild(
      ['--input-type=module', '-e', ESM_CHILD],
      pathToFileURL(dist('index.js')).href,
      '/esm',
    );
    expect(report.accessed).toEqual([]);
    expect(report.data).toEqual({ hello: 'pollwise', path: '/esm', n: expect.any(Number) });
    expect(report.sent).toBe(1);
    expect(report.exports).toEqual(expect.arrayContaining(['createPoller', 'CooldownError']));
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(['/esm']);
  });

  it('CJS: require(dist/index.cjs) works without require(esm) (ky bundled), no window/document', async () => {
    const before = server.requests.length;
    // Node < 20.19 cannot require() an ESM-only package such as ky 2: emulate it.
    const report = await runChild(
      ['--no-experimental-require-module', '-e', CJS_CHILD],
      dist('index.cjs'),
      '/cjs',
    );
    expect(report.accessed).toEqual([]);
    expect(report.data).toEqual({ hello: 'pollwise', path: '/cjs', n: expect.any(Number) });
    expect(report.sent).toBe(1);
    expect(report.exports).toEqual(expect.arrayContaining(['createPoller', 'CooldownError']));
    expect(server.requests.slice(before).map((r) => r.url)).toEqual(['/cjs']);
  });

  it('the trap works: a child that touches document at import fails', async () => {
    // Guards the two tests above: the same trap must catch an access.
    const script = `${TRAP}\ntry { globalThis.document; } catch {}\nconsole.log(JSON.stringify(accessed));`;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual(['document during import']);
  });

  it('package.json declares sideEffects: false and exports both builds', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports['.'].import.default).toBe('./dist/index.js');
    expect(pkg.exports['.'].require.default).toBe('./dist/index.cjs');
  });

  it('dist/index.js has no top-level window/document reference (grep-level)', () => {
    const code = readFileSync(dist('index.js'), 'utf8');
    // Top-level statements of the bundle are the unindented lines.
    const topLevel = code
      .split('\n')
      .filter((line) => !/^\s/.test(line) && !line.startsWith('//'))
      .map((line) => line.replace(/\bdocumentVisibility\b/g, ''));
    expect(topLevel.filter((line) => /\b(window|document)\b/.test(line))).toEqual([]);
    // References that do exist are lazy lookups on globalThis inside functions.
    expect(code).toMatch(/globalThis\.document/);
  });
});

describe('type declarations for consumers', () => {
  beforeAll(ensureBuilt, 150_000);

  /** Type-checks a consumer project with its own tsconfig against the built package. */
  async function typecheckConsumer(
    type: 'commonjs' | 'module',
    module: string,
    resolution: string,
  ) {
    const dir = mkdtempSync(path.join(tmpdir(), 'pollwise-consumer-'));
    try {
      mkdirSync(path.join(dir, 'node_modules'));
      symlinkSync(root, path.join(dir, 'node_modules', 'pollwise'), 'dir');
      symlinkSync(
        path.join(root, 'node_modules', 'ky'),
        path.join(dir, 'node_modules', 'ky'),
        'dir',
      );
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type }));
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution: resolution,
            strict: true,
            skipLibCheck: false,
            noEmit: true,
            types: [],
          },
          files: ['index.ts'],
        }),
      );
      writeFileSync(
        path.join(dir, 'index.ts'),
        [
          "import { createPoller, CooldownError, type PollerOptions } from 'pollwise';",
          'const options: PollerOptions = { interval: 1000 };',
          'const poller = createPoller(options);',
          "const pending: Promise<unknown> = poller.http.get('https://a.test/x').json();",
          "poller.poll(async ({ http }) => http.get('https://a.test/y').json<{ n: number }>(), { url: 'https://a.test' });",
          'export const isCooldown = (e: unknown) => e instanceof CooldownError;',
          'void pending;',
        ].join('\n'),
      );
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      return await run(process.execPath, [tsc, '-p', dir], { timeout: 60_000 }).then(
        () => '',
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // ky is ESM-only: a .d.cts importing it plainly fails with TS1479 under module node16.
  it('a CommonJS TypeScript consumer (module node16, skipLibCheck false) type-checks', async () => {
    expect(await typecheckConsumer('commonjs', 'node16', 'node16')).toBe('');
  }, 60_000);

  it('an ESM consumer (nodenext) and a bundler consumer type-check', async () => {
    expect(await typecheckConsumer('module', 'nodenext', 'nodenext')).toBe('');
    expect(await typecheckConsumer('module', 'esnext', 'bundler')).toBe('');
  }, 90_000);
});

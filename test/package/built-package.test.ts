import { execFile, execFileSync } from 'node:child_process';
import {
  existsSync,
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
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, startLoopbackServer } from '../support/loopback-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = (file: string) => path.join(root, 'dist', file);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Every entry of the package: its specifier, exports key, built files and a few exports. */
const ENTRIES = [
  { specifier: 'pollwise', key: '.', file: 'index', names: ['createPoller', 'PollwiseError'] },
  {
    specifier: 'pollwise/resource',
    key: './resource',
    file: 'resource',
    names: ['createResource'],
  },
  { specifier: 'pollwise/ky', key: './ky', file: 'ky', names: ['createKy', 'politeKy'] },
] as const;

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

/** Builds when a built file is missing or older than the sources (a fresh `npm test`). */
function ensureBuilt(): void {
  const sources = Math.max(
    newestMtime(path.join(root, 'src')),
    mtime(path.join(root, 'tsup.config.ts')),
    mtime(path.join(root, '.ci', 'fix-cjs-types.mjs')),
  );
  const built = Math.min(
    ...ENTRIES.flatMap(({ file }) =>
      ['.js', '.cjs', '.d.ts', '.d.cts'].map((ext) => mtime(dist(file + ext))),
    ),
  );
  if (built >= sources) return;
  // The build script, not bare tsup: it also fixes the ky type import of dist/ky.d.cts.
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, timeout: 180_000, stdio: 'pipe' });
}

/**
 * The environment for a child npm: without the npm_* variables of the `npm test` that may be
 * running us (npm_config_local_prefix would point the install at this repository).
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep =
    /^npm_config_(registry|cache|userconfig|globalconfig|cafile|ca|proxy|https_proxy|noproxy|strict_ssl)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || keep.test(key)),
  );
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

/**
 * Shared by every child, after `load(specifier)` is defined: loads every entry, checks that
 * they share one core (one PollwiseError class, the poller's own fetch wrapper), polls
 * POLL_URL once through `pollwise`, prints a JSON report and exits.
 */
const ENTRIES_AND_POLL = `
const pollwise = await load('pollwise');
const resource = await load('pollwise/resource');
const kyEntry = await load('pollwise/ky');
phase = 'createPoller';
const poller = pollwise.createPoller({ fetch: globalThis.fetch });
const caught = (f) => { try { f(); } catch (error) { return error; } };
const resourceError = caught(() => resource.createResource(poller, {}));
const kyError = caught(() => kyEntry.createKy(poller, { prefix: 'https://a.test' }));
const api = kyEntry.createKy(poller);
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
const report = {
  data,
  accessed,
  sent: stats.sent,
  exports: {
    pollwise: Object.keys(pollwise).sort(),
    resource: Object.keys(resource).sort(),
    ky: Object.keys(kyEntry).sort(),
  },
  resourceError: [resourceError?.name, resourceError instanceof pollwise.PollwiseError],
  kyError: [kyError?.name, kyError instanceof pollwise.PollwiseError],
  kyInstance: typeof api.get,
  politeFetchIsThePollers: kyEntry.politeKy(poller)({}).fetch === poller.wrapFetch(),
};
poller.dispose();
console.log(JSON.stringify(report));
`;

const ESM_CHILD = `${TRAP}
const load = (specifier) => import(specifier);
${ENTRIES_AND_POLL}`;

const CJS_CHILD = `${TRAP}
const load = async (specifier) => require(specifier);
(async () => {
${ENTRIES_AND_POLL}
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});`;

interface ChildReport {
  data: unknown;
  accessed: string[];
  sent: number;
  exports: { pollwise: string[]; resource: string[]; ky: string[] };
  resourceError: [string, boolean];
  kyError: [string, boolean];
  kyInstance: string;
  politeFetchIsThePollers: boolean;
}

type Server = Awaited<ReturnType<typeof startLoopbackServer>>;

/** A server answering every path with JSON naming the path. */
async function jsonServer(): Promise<Server> {
  let served = 0;
  return startLoopbackServer((req, res) => {
    served++;
    sendJson(res, 200, { hello: 'pollwise', path: req.url, n: served });
  });
}

/** Node's flags for CJS children: emulate Node < 20.19, where require() of ESM (ky) throws. */
const CJS_FLAGS = ['--no-experimental-require-module', '-e', CJS_CHILD];
const ESM_FLAGS = ['--input-type=module', '-e', ESM_CHILD];

async function runChild(
  server: Server,
  cwd: string,
  args: string[],
  pollPath: string,
): Promise<ChildReport> {
  const { stdout, stderr } = await run(process.execPath, args, {
    cwd,
    timeout: 20_000,
    env: { ...process.env, POLL_URL: `${server.origin}${pollPath}` },
  });
  expect(stderr).toBe('');
  return JSON.parse(stdout.trim()) as ChildReport;
}

/** What every child must report, whichever format and wherever the package was loaded from. */
function expectEveryEntry(report: ChildReport, server: Server, pollPath: string, before: number) {
  expect(report.accessed).toEqual([]);
  expect(report.data).toEqual({ hello: 'pollwise', path: pollPath, n: expect.any(Number) });
  expect(report.sent).toBe(1);
  expect(server.requests.slice(before).map((r) => r.url)).toEqual([pollPath]);
  expect(report.exports.pollwise).toEqual(expect.arrayContaining([...ENTRIES[0].names]));
  expect(report.exports.resource).toEqual(expect.arrayContaining([...ENTRIES[1].names]));
  expect(report.exports.ky).toEqual(expect.arrayContaining([...ENTRIES[2].names]));
  // The resource entry was not folded into the core entry.
  expect(report.exports.pollwise).not.toContain('createResource');
  // One core per format: the other entries' errors are the core entry's classes.
  expect(report.resourceError).toEqual(['InvalidOptionsError', true]);
  expect(report.kyError).toEqual(['InvalidOptionsError', true]);
  expect(report.kyInstance).toBe('function');
  expect(report.politeFetchIsThePollers).toBe(true);
}

describe('the built package in plain Node (no DOM), through its exports map', () => {
  let server: Server;

  beforeAll(async () => {
    ensureBuilt();
    server = await jsonServer();
  }, 200_000);

  afterAll(async () => {
    await server?.close();
  });

  // From the repository root, `pollwise/...` resolves by self-reference through `exports`.
  it('ESM: every entry imports, touches no window/document, shares one core, polls once', async () => {
    const before = server.requests.length;
    const report = await runChild(server, root, ESM_FLAGS, '/esm');
    expectEveryEntry(report, server, '/esm', before);
  });

  it('CJS: every entry requires without require(esm) (ky bundled), shares one core, polls once', async () => {
    const before = server.requests.length;
    const report = await runChild(server, root, CJS_FLAGS, '/cjs');
    expectEveryEntry(report, server, '/cjs', before);
  });

  it('the trap works: a child that touches document at import fails', async () => {
    // Guards the tests above: the same trap must catch an access.
    const script = `${TRAP}\ntry { globalThis.document; } catch {}\nconsole.log(JSON.stringify(accessed));`;
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 15_000 });
    expect(JSON.parse(stdout)).toEqual(['document during import']);
  });

  it('ESM and CJS each define PollwiseError once (shared chunks); no CJS file requires ky', () => {
    const files = readdirSync(dist(''));
    const defining = (ext: string) =>
      files
        .filter((f) => f.endsWith(ext))
        .filter((f) => /\bPollwiseError = class\b/.test(readFileSync(dist(f), 'utf8')));
    expect(defining('.js')).toHaveLength(1);
    expect(defining('.cjs')).toHaveLength(1);
    const requiresKy = files
      .filter((f) => f.endsWith('.cjs'))
      .filter((f) => /require\(["']ky["']\)/.test(readFileSync(dist(f), 'utf8')));
    expect(requiresKy).toEqual([]);
    // ESM leaves ky to the app's bundler; only the ky entry imports it.
    const importsKy = files
      .filter((f) => f.endsWith('.js'))
      .filter((f) => /from ["']ky["']/.test(readFileSync(dist(f), 'utf8')));
    expect(importsKy).toEqual(['ky.js']);
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

describe('package.json', () => {
  it('declares sideEffects: false, and ESM, CJS and types for every entry', () => {
    expect(pkg.sideEffects).toBe(false);
    for (const { key, file } of ENTRIES) {
      expect(pkg.exports[key]).toEqual({
        import: { types: `./dist/${file}.d.ts`, default: `./dist/${file}.js` },
        require: { types: `./dist/${file}.d.cts`, default: `./dist/${file}.cjs` },
      });
      // node10 resolution (no exports): the subpaths through typesVersions.
      if (key !== '.')
        expect(pkg.typesVersions['*'][key.slice(2)]).toEqual([`./dist/${file}.d.cts`]);
    }
    expect([pkg.main, pkg.module, pkg.types]).toEqual([
      './dist/index.cjs',
      './dist/index.js',
      './dist/index.d.cts',
    ]);
  });

  it('engines: node >= 20.3 (AbortSignal.any); ky stays on 1.x (ky 2.1 needs node >= 22)', () => {
    expect(pkg.engines).toEqual({ node: '>=20.3.0' });
    expect(pkg.dependencies.ky).toMatch(/^\^1\./);
    expect(pkg.devDependencies?.ky).toBeUndefined();
  });

  it('names its repository, homepage and license, and ships LICENSE', () => {
    expect(pkg.repository).toMatchObject({ type: 'git', url: expect.stringContaining('github') });
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.license).toBe('MIT');
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'LICENSE']));
    expect(existsSync(path.join(root, 'LICENSE'))).toBe(true);
  });
});

/** Whether a dependency's `engines.node` range is implied by pollwise's own `>=20.3.0`. */
function impliedByOurs(range: string): boolean {
  // Only the simple `>=x[.y[.z]]` form is judged; anything else fails, to be looked at by hand.
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (match === null) return false;
  const [major, minor, patch] = [match[1], match[2], match[3]].map((n) => Number(n ?? 0)) as [
    number,
    number,
    number,
  ];
  return major !== 20 ? major < 20 : minor < 3 || (minor === 3 && patch === 0);
}

describe('the packed tarball, installed into an empty project with npm install --engine-strict', () => {
  let work: string;
  let project: string;
  let install: { code: number; output: string };
  let server: Server;

  beforeAll(async () => {
    ensureBuilt();
    server = await jsonServer();
    work = mkdtempSync(path.join(tmpdir(), 'pollwise-tarball-'));
    const packed = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', work],
      { cwd: root, env: npmEnv(), timeout: 60_000 },
    );
    const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
    project = path.join(work, 'app');
    mkdirSync(project);
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
    );
    const args = ['install', '--engine-strict', '--no-audit', '--no-fund'];
    // Offline runs install ky, zod and mitt from npm's cache (filled by `npm ci`).
    if (process.env.POLLWISE_OFFLINE === '1') args.push('--offline');
    args.push(path.join(work, filename));
    install = await run('npm', args, { cwd: project, env: npmEnv(), timeout: 180_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({
        code: typeof error.code === 'number' ? error.code : -1,
        output: `${error.stdout ?? ''}${error.stderr ?? ''}${String(error)}`,
      }),
    );
  }, 400_000);

  afterAll(async () => {
    await server?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  it(`exits 0 on node ${process.version} and prints no engine warning`, () => {
    expect(install.output).not.toMatch(/EBADENGINE|engine/i);
    expect(install.code, install.output).toBe(0);
  });

  it('pulls in ky 1, zod and mitt; every engines.node it installs is implied by ours', () => {
    const modules = path.join(project, 'node_modules');
    const installed = readdirSync(modules)
      .filter((name) => !name.startsWith('.'))
      .flatMap((name) =>
        name.startsWith('@')
          ? readdirSync(path.join(modules, name)).map((n) => `${name}/${n}`)
          : [name],
      );
    expect(installed.sort()).toEqual(['ky', 'mitt', 'pollwise', 'zod']);
    const manifest = (name: string) =>
      JSON.parse(readFileSync(path.join(modules, name, 'package.json'), 'utf8'));
    expect(manifest('ky').version).toMatch(/^1\./);
    const ranges = Object.fromEntries(
      installed.map((name) => [name, manifest(name).engines?.node as string | undefined]),
    );
    expect(ranges.pollwise).toBe('>=20.3.0');
    const stricter = Object.entries(ranges).filter(([, r]) => r !== undefined && !impliedByOurs(r));
    expect(stricter).toEqual([]);
  });

  it('ships LICENSE, README.md and the repository/homepage fields', () => {
    const installed = path.join(project, 'node_modules', 'pollwise');
    expect(existsSync(path.join(installed, 'LICENSE'))).toBe(true);
    expect(existsSync(path.join(installed, 'README.md'))).toBe(true);
    const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8'));
    expect(manifest.repository).toEqual(pkg.repository);
    expect(manifest.homepage).toBe(pkg.homepage);
  });

  it('ESM: the app imports every entry and polls a loopback server once through pollwise', async () => {
    const before = server.requests.length;
    const report = await runChild(server, project, ESM_FLAGS, '/installed-esm');
    expectEveryEntry(report, server, '/installed-esm', before);
  });

  it('CJS: the app requires every entry (no require(esm)) and polls a loopback server once', async () => {
    const before = server.requests.length;
    const report = await runChild(server, project, CJS_FLAGS, '/installed-cjs');
    expectEveryEntry(report, server, '/installed-cjs', before);
  });
});

describe('type declarations for consumers', () => {
  beforeAll(ensureBuilt, 200_000);

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
      for (const dep of ['ky', 'zod', 'mitt']) {
        symlinkSync(
          path.join(root, 'node_modules', dep),
          path.join(dir, 'node_modules', dep),
          'dir',
        );
      }
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', type }));
      writeFileSync(
        path.join(dir, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module,
            moduleResolution: resolution,
            target: 'es2022',
            lib: ['es2022', 'dom'],
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
          "import { createResource } from 'pollwise/resource';",
          "import { createKy, politeKy } from 'pollwise/ky';",
          'const options: PollerOptions = { interval: 1000 };',
          'const poller = createPoller(options);',
          "const sub = poller.poll<undefined, number>('https://a.test/n', { select: (d) => Number(d) });",
          'const n: number | undefined = sub.getSnapshot().data;',
          "poller.poll(async ({ http }) => (await http('https://a.test/y')) as { n: number }, {",
          "  url: 'https://a.test',",
          '});',
          "const items = createResource(poller, { item: { url: (id: string) => 'https://a.test/items/' + id } });",
          "const api = createKy(poller, { prefixUrl: 'https://a.test' });",
          "const pending: Promise<{ ok: boolean }> = api.get('x').json<{ ok: boolean }>();",
          'const extension = politeKy(poller);',
          'export const isCooldown = (e: unknown) => e instanceof CooldownError;',
          'export { extension, items, n, pending };',
        ].join('\n'),
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

  // ky is ESM-only: a .d.cts importing it plainly fails with TS1479 under module node16.
  it('a CommonJS TypeScript consumer (module node16, skipLibCheck false) type-checks', async () => {
    expect(await typecheckConsumer('commonjs', 'node16', 'node16')).toBe('');
  }, 90_000);

  it('an ESM consumer (nodenext) and a bundler consumer type-check', async () => {
    expect(await typecheckConsumer('module', 'nodenext', 'nodenext')).toBe('');
    expect(await typecheckConsumer('module', 'esnext', 'bundler')).toBe('');
  }, 120_000);
});

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The ky module as these tests use it. Typed from ky 1 (the package's dependency); ky 2 has the
 * same shape for what the tests touch (create, extend, get().json(), HTTPError, TimeoutError).
 */
export type KyModule = typeof import('ky');

export interface LoadedKy {
  major: 1 | 2;
  version: string;
  ky: KyModule['default'];
  HTTPError: KyModule['HTTPError'];
  TimeoutError: KyModule['TimeoutError'];
  /** Where the package lives (its directory, with its package.json). */
  dir: string;
}

/** ky 2, which this repository must never depend on (ky 2.1 requires node >= 22). */
export const KY2_VERSION = '2.1.0';

/** ky 2 cases are skipped only when the caller says the registry is out of reach. */
export const offline = process.env.POLLWISE_OFFLINE === '1';

const versionOf = (dir: string): string | undefined => {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
};

async function importKy(dir: string, major: 1 | 2): Promise<LoadedKy> {
  const version = versionOf(dir);
  if (version === undefined || !version.startsWith(`${major}.`)) {
    throw new Error(`expected ky ${major}.x in ${dir}, found ${version ?? 'nothing'}`);
  }
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const entry = typeof pkg.exports?.default === 'string' ? pkg.exports.default : pkg.main;
  const module = (await import(pathToFileURL(path.join(dir, entry)).href)) as KyModule;
  return {
    major,
    version,
    ky: module.default,
    HTTPError: module.HTTPError,
    TimeoutError: module.TimeoutError,
    dir,
  };
}

/** ky 1, the package's own dependency, from this repository's node_modules. */
export function loadKy1(): Promise<LoadedKy> {
  return importKy(path.join(root, 'node_modules', 'ky'), 1);
}

/** The cache directory of the ky 2 install (outside the repository, reused between runs). */
export const ky2Cache = path.join(tmpdir(), `pollwise-test-ky-${KY2_VERSION}`);

/**
 * The directory of ky 2 under `ky2Cache`, installed from the npm registry on first use without
 * touching this repository's package.json or lockfile. The install goes to a fresh directory
 * that is renamed into place, so parallel test files never see half an install. Throws when
 * the registry cannot be reached: the ky 2 cases must fail then, not skip.
 */
export async function ky2Dir(): Promise<string> {
  const dir = path.join(ky2Cache, 'node_modules', 'ky');
  if (versionOf(dir) === KY2_VERSION) return dir;
  mkdirSync(path.dirname(ky2Cache), { recursive: true });
  const staging = mkdtempSync(`${ky2Cache}.staging-`);
  try {
    await run(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--engine-strict=false',
        '--loglevel=error',
        '--prefix',
        staging,
        `ky@${KY2_VERSION}`,
      ],
      { cwd: staging, timeout: 120_000 },
    );
    if (versionOf(path.join(staging, 'node_modules', 'ky')) !== KY2_VERSION) {
      throw new Error(`npm install ky@${KY2_VERSION} left no ky ${KY2_VERSION} in ${staging}`);
    }
    // Another test file may have finished first; a broken leftover is replaced.
    if (versionOf(dir) === KY2_VERSION) return dir;
    if (existsSync(ky2Cache)) rmSync(ky2Cache, { recursive: true, force: true });
    try {
      renameSync(staging, ky2Cache);
    } catch (error) {
      // Another test file won the race: its install is as good as ours.
      if (versionOf(dir) !== KY2_VERSION) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

/** ky 2.1 from the registry (see ky2Dir). */
export async function loadKy2(): Promise<LoadedKy> {
  return importKy(await ky2Dir(), 2);
}

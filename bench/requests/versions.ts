import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Libraries the bench runs: pollwise's own dependencies and the peers it is compared with. */
const LIBRARIES = ['@tanstack/query-core', 'ky', 'zod', 'mitt', 'tsx'] as const;

function versionOf(path: string): string {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '?';
  } catch {
    return 'not installed';
  }
}

/** The commit pollwise's src/ is at, `+ changes` when the tree differs from it. */
function commitOf(): string {
  try {
    const run = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const head = run('rev-parse', '--short', 'HEAD');
    return run('status', '--porcelain', '--', 'src') === ''
      ? head
      : `${head} + uncommitted changes in src/`;
  } catch {
    return 'no git';
  }
}

/** name → version, read from package.json files (pollwise: its src/ as run by tsx). */
export function versions(): Record<string, string> {
  const found: Record<string, string> = {
    pollwise: `${versionOf(resolve(root, 'package.json'))} (src/ at ${commitOf()})`,
  };
  for (const name of LIBRARIES) {
    found[name] = versionOf(resolve(root, 'node_modules', name, 'package.json'));
  }
  found.node = process.version;
  return found;
}

// Where the benches find the built package: POLLWISE_DIST (resolved from the working directory),
// else the repository's dist/. A copy elsewhere works when a node_modules with ky, zod and mitt
// sits beside or above it (e.g. /tmp/pw/dist next to a symlink /tmp/pw/node_modules).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const distDir = resolve(process.env.POLLWISE_DIST ?? resolve(root, 'dist'));

/** Absolute path of one built file, e.g. distFile('index.js'). */
export const distFile = (name) => resolve(distDir, name);

/** Exits with code 2 and a hint when a built file is missing. */
export function requireDist(...names) {
  for (const name of names) {
    if (existsSync(distFile(name))) continue;
    console.error(
      `${distFile(name)} not found: run \`npm run build\` first, or point POLLWISE_DIST at a build.`,
    );
    process.exit(2);
  }
}

/** Imports one built entry, e.g. importDist('resource.js'). */
export const importDist = (name) => import(pathToFileURL(distFile(name)).href);

/** The version field of an installed package (or of pollwise's own package.json). */
export function versionOf(name) {
  const file =
    name === 'pollwise'
      ? resolve(root, 'package.json')
      : resolve(root, 'node_modules', name, 'package.json');
  try {
    return JSON.parse(readFileSync(file, 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

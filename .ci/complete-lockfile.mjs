// The registry these machines reach does not serve every platform build of some optional
// native packages (@biomejs/cli-*, @rollup/rollup-*), so `npm install` leaves them out of
// package-lock.json and `npm ci` then rejects the lock as out of sync. This adds the missing
// optional entries (version, os, cpu, libc) so that `npm ci` works; npm skips them on other
// platforms and keeps them on later installs. Run after changing dependencies:
//   npm install && node .ci/complete-lockfile.mjs && npm install
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

function platformOf(name) {
  const tail = name
    .split('/')
    .pop()
    .replace(/^cli-|^rollup-|^binding-/, '');
  const [os, cpu] = tail.split('-');
  const entry = { os: [os], cpu: [cpu] };
  if (tail.includes('musl')) entry.libc = ['musl'];
  else if (tail.includes('gnu') && os === 'linux') entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const meta of Object.values({ ...packages })) {
  for (const [dep, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    if (packages[key]) continue;
    packages[key] = { version, dev: meta.dev, optional: true, ...platformOf(dep) };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} optional platform entries`);

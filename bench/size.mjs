#!/usr/bin/env node
// Bundle-size report for pollwise. Run after a build (`npm run size` does both).
//
//   own code, as built   dist/index.js exactly as tsup emitted it (deps external)
//   own code, minified   dist/index.js minified by esbuild, deps still external  <- budget
//   with dependencies    dist/index.js + ky + zod + mitt, one minified browser ESM bundle
//
// Sizes are gzip level 9 (node:zlib). The goal for own code (minified+gzip) is 6 KiB; it is
// reported, not enforced. What is enforced is a regression ceiling: exits 1 when own code
// exceeds POLLWISE_SIZE_BUDGET bytes (default 15360, i.e. 15 KiB: today's size plus a margin).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
// A devDependency (pinned to the version vite 8 and tsx use; tsup keeps its own copy).
import * as esbuild from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = resolve(root, 'dist/index.js');
const GOAL = 6144;
const DEFAULT_BUDGET = 15360;

const budgetEnv = process.env.POLLWISE_SIZE_BUDGET;
const budget = budgetEnv === undefined || budgetEnv === '' ? DEFAULT_BUDGET : Number(budgetEnv);
if (!Number.isInteger(budget) || budget <= 0) {
  console.error(`POLLWISE_SIZE_BUDGET must be a positive integer (bytes), got "${budgetEnv}"`);
  process.exit(2);
}
if (!existsSync(entry)) {
  console.error(`${relative(root, entry)} not found: run \`npm run build\` first.`);
  process.exit(2);
}

const gzip = (bytes) => gzipSync(bytes, { level: 9 }).length;

async function bundle({ external }) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    outfile: resolve(root, 'dist/.size-bundle.js'), // never written (write: false)
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    ...(external ? { packages: 'external' } : {}),
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('.js'));
  return { bytes: out.contents, metafile: result.metafile };
}

const asBuilt = readFileSync(entry);
const own = await bundle({ external: true });
const full = await bundle({ external: false });

// Minified (pre-gzip) bytes each package contributes to the full bundle.
const byPackage = new Map();
for (const output of Object.values(full.metafile.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const parts = input.split(/[\\/]/);
    const nm = parts.lastIndexOf('node_modules');
    let name = 'pollwise (own code)';
    if (nm !== -1) {
      name = parts[nm + 1]?.startsWith('@') ? `${parts[nm + 1]}/${parts[nm + 2]}` : parts[nm + 1];
    }
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
}

const ownMinGz = gzip(own.bytes);
const rows = [
  ['own code, as built (dist/index.js)', asBuilt.length, gzip(asBuilt)],
  ['own code, minified', own.bytes.length, ownMinGz],
  ['with dependencies, minified', full.bytes.length, gzip(full.bytes)],
];

const fmt = (n) => `${n.toLocaleString('en-US')} B`.padStart(12);
const kib = (n) => `${(n / 1024).toFixed(2)} KiB`.padStart(11);
const labelWidth = Math.max(...rows.map((r) => r[0].length), 24);
const line = '-'.repeat(labelWidth + 2 * 12 + 11 + 6);

console.log('pollwise bundle size (gzip level 9)');
console.log(line);
console.log(
  `${'bundle'.padEnd(labelWidth)}  ${'raw'.padStart(12)}  ${'gzip'.padStart(12)}  ${'gzip'.padStart(11)}`,
);
console.log(line);
for (const [label, raw, gz] of rows) {
  console.log(`${label.padEnd(labelWidth)}  ${fmt(raw)}  ${fmt(gz)}  ${kib(gz)}`);
}
console.log(line);
console.log('minified bytes per package in the full bundle (before gzip):');
for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1])) {
  console.log(`  ${name.padEnd(labelWidth - 2)}  ${fmt(bytes)}`);
}
console.log(line);

const goal = ownMinGz <= GOAL ? 'met' : `not met, ${ownMinGz - GOAL} B over`;
console.log(`goal:    own code minified+gzip ${ownMinGz} B / ${GOAL} B -> ${goal}`);
const verdict = ownMinGz <= budget ? 'OK' : 'OVER BUDGET';
console.log(
  `ceiling: own code minified+gzip ${ownMinGz} B / ${budget} B (POLLWISE_SIZE_BUDGET) -> ${verdict}`,
);
if (ownMinGz > budget) process.exit(1);

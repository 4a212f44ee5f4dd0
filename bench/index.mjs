#!/usr/bin/env node
// `npm run bench`: every benchmark, one after the other, each in its own process, every table
// printed as it comes. Measures the build in POLLWISE_DIST (default dist/; `npm run bench`
// builds first).
//
//   node bench/index.mjs [--quick]
//
// --quick is handed to every bench (small N, 2 runs: a smoke test, not figures to quote).
// Exits 1 when a bench crashes (exits non-zero), after running the others; a missing bench file
// is a note, not a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick') ? ['--quick'] : [];
const node = process.execPath;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const BENCHES = [
  {
    title: 'Requests and freshness (simulated server, virtual time)',
    file: 'bench/requests/run.ts',
    command: (file) => [npx, ['tsx', file, ...quick]],
  },
  {
    title: 'CPU at scale, pending timers and heap per subscription, against TanStack',
    file: 'bench/cpu/run.mjs',
    command: (file) => [node, ['--expose-gc', file, ...quick]],
  },
  {
    title: 'Heap per subscription, idle, and leak check (pollwise)',
    file: 'bench/heap/heap-per-subscription.mjs',
    command: (file) => [node, ['--expose-gc', file, ...quick]],
  },
  {
    title: 'Bundle size against query-core, swr, ky and dataloader',
    file: 'bench/bundle/compare.mjs',
    command: (file) => [node, [file]],
  },
];

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const outcomes = [];
for (const bench of BENCHES) {
  const file = resolve(root, bench.file);
  console.log(`\n## ${bench.title}${quick.length > 0 ? ' (quick)' : ''}\n`);
  if (!existsSync(file)) {
    console.log(`note: ${bench.file} does not exist yet; skipped.`);
    outcomes.push({ bench, status: 'missing' });
    continue;
  }
  const [command, args] = bench.command(relative(root, file));
  const started = Date.now();
  const child = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const seconds = (Date.now() - started) / 1000;
  const failed = child.error !== undefined || child.status !== 0;
  const why = child.error?.message ?? (child.signal ? `signal ${child.signal}` : child.status);
  outcomes.push({ bench, status: failed ? `failed (${why})` : 'ok', seconds });
}

console.log(`\n## Summary (load average now ${load()})\n`);
for (const { bench, status, seconds } of outcomes) {
  const time = seconds === undefined ? '' : ` in ${seconds.toFixed(0)} s`;
  console.log(`${bench.file.padEnd(40)} ${status}${time}`);
}
process.exit(outcomes.some((o) => o.status.startsWith('failed')) ? 1 : 0);

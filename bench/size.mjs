#!/usr/bin/env node
// Bundle-size report for pollwise, measured the way an app ships it. Run after a build
// (`npm run size` does both). Every bundle is built by esbuild (minify, ESM, platform browser,
// target es2022) and gzipped at level 9 (node:zlib):
//
//   poll-only app          a tiny app importing createPoller, dependencies included
//   poll + resource app    the same plus createResource from 'pollwise/resource'
//   core entry (own code)  dist/index.js and the dist chunks it imports, every package external
//   pollwise/react|vue|svelte (own code)  an adapter entry and its chunks, every package external
//
// 'pollwise' and 'pollwise/resource' resolve to dist/index.js and dist/resource.js. Until
// dist/resource.js exists, the resource app is reported as skipped.
//
// For each bundle: minified bytes per package before gzip (own code, ky, zod, mitt, other =
// the app's entry and any other package), the minified total and the gzip total. Goals are
// reported, not enforced; ceilings are enforced (exit 1 when a gzip total exceeds its ceiling).
import { existsSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
// A devDependency (pinned to the version vite 8 and tsx use; tsup keeps its own copy).
import * as esbuild from 'esbuild';

/**
 * Regression ceilings in bytes (gzip level 9), overridable from the environment. Set generously
 * for now; to be lowered to just above what is reached.
 */
// Just above what issue 7 reached (13,879 / 24,783 / 14,077 B, after the review fixes): a
// regression fails CI.
const DEFAULT_CEILING_BYTES = {
  // Issue 9's pacing (RateLimit header and structured-field parsers, the per-origin budgets and
  // their spend rule), X-Poll-Interval and adaptive intervals added about 4.8 KB to every
  // bundle (poll-only 14,149 → 19,134 B): the ceilings sit about 1.5% over the figures measured
  // then (19,134, 31,187 and 19,335). The goals are missed; see the README's bundle table.
  poll: 19_450, // POLLWISE_SIZE_CEILING_POLL: poll-only app, gzip total
  resource: 31_650, // POLLWISE_SIZE_CEILING_RESOURCE: poll + resource app, gzip total
  core: 19_650, // POLLWISE_SIZE_CEILING_CORE: core entry own code, gzip
  // Issue 11: each framework adapter adds under 1 KB gzip (the framework and pollwise external).
  react: 1024, // POLLWISE_SIZE_CEILING_REACT
  vue: 1024, // POLLWISE_SIZE_CEILING_VUE
  svelte: 1024, // POLLWISE_SIZE_CEILING_SVELTE
};

/** Goals in bytes (gzip level 9): reported as met / not met, never enforced. */
const GOAL_BYTES = {
  poll: 14 * 1024,
  resource: 18 * 1024,
  core: 8 * 1024,
  react: 1024,
  vue: 1024,
  svelte: 1024,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = {
  index: resolve(root, 'dist/index.js'),
  resource: resolve(root, 'dist/resource.js'),
  react: resolve(root, 'dist/react.js'),
  vue: resolve(root, 'dist/vue.js'),
  svelte: resolve(root, 'dist/svelte.js'),
};

const POLL_APP = `import { createPoller } from 'pollwise';
const p = createPoller();
p.poll('/api/x', { onData: console.log });
`;
const RESOURCE_APP = `${POLL_APP}import { createResource } from 'pollwise/resource';
createResource(p, {
  item: { url: (k) => '/i/' + k },
  batch: { url: '/batch', key: (e) => e.id },
}).subscribe('a', console.log);
`;

const BUNDLES = [
  { id: 'poll', label: 'poll-only app', app: POLL_APP, needs: [dist.index] },
  {
    id: 'resource',
    label: 'poll + resource app',
    app: RESOURCE_APP,
    needs: [dist.index, dist.resource],
  },
  { id: 'core', label: 'core entry (own code)', entry: dist.index, needs: [dist.index] },
  // What an adapter entry adds to an app that already has pollwise and its framework.
  { id: 'react', label: 'pollwise/react (own code)', entry: dist.react, needs: [dist.react] },
  { id: 'vue', label: 'pollwise/vue (own code)', entry: dist.vue, needs: [dist.vue] },
  { id: 'svelte', label: 'pollwise/svelte (own code)', entry: dist.svelte, needs: [dist.svelte] },
];

function ceiling(id) {
  const name = `POLLWISE_SIZE_CEILING_${id.toUpperCase()}`;
  const raw = process.env[name];
  if (raw === undefined || raw === '') return { name, bytes: DEFAULT_CEILING_BYTES[id] };
  const bytes = Number(raw);
  if (!Number.isInteger(bytes) || bytes <= 0) {
    console.error(`${name} must be a positive integer (bytes), got "${raw}"`);
    process.exit(2);
  }
  return { name, bytes };
}
const ceilings = Object.fromEntries(BUNDLES.map(({ id }) => [id, ceiling(id)]));

if (!existsSync(dist.index)) {
  console.error(`${relative(root, dist.index)} not found: run \`npm run build\` first.`);
  process.exit(2);
}

/** Resolves the package's own name to the built files, as an installed copy would. */
const pollwiseFromDist = {
  name: 'pollwise-from-dist',
  setup(build) {
    build.onResolve({ filter: /^pollwise(\/resource)?$/ }, (args) => ({
      path: args.path === 'pollwise' ? dist.index : dist.resource,
    }));
  },
};

async function build({ app, entry }) {
  const result = await esbuild.build({
    ...(app === undefined
      ? { entryPoints: [entry], packages: 'external' } // only bare package imports stay out
      : {
          stdin: { contents: app, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
          plugins: [pollwiseFromDist],
        }),
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
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const parts = { own: 0, ky: 0, zod: 0, mitt: 0, other: 0 };
  const others = new Set();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const segments = input.split(/[\\/]/);
      const nm = segments.lastIndexOf('node_modules');
      let part = 'own';
      if (nm !== -1) {
        const scoped = segments[nm + 1]?.startsWith('@');
        const name = scoped ? `${segments[nm + 1]}/${segments[nm + 2]}` : segments[nm + 1];
        part = name in parts ? name : 'other';
        if (part === 'other') others.add(name);
      } else if (input === '<stdin>' || input === 'app.js') {
        part = 'other'; // the app's own few lines
      }
      parts[part] += bytesInOutput;
    }
  }
  return {
    parts,
    others,
    minified: out.contents.length,
    gzip: gzipSync(out.contents, { level: 9 }).length,
  };
}

const n = (v) => v.toLocaleString('en-US');
const kib = (v) => `${(v / 1024).toFixed(1)} KiB`;
const COLUMNS = ['own', 'ky', 'zod', 'mitt', 'other'];
const labelWidth = Math.max(...BUNDLES.map((b) => b.label.length));
const cell = (v, w = 8) => String(v).padStart(w);

console.log('pollwise bundle size: esbuild minify, esm, browser, es2022; gzip level 9');
console.log(`minified bytes per package (before gzip), then totals:`);
console.log(
  `${''.padEnd(labelWidth)} ${COLUMNS.map((c) => cell(c)).join('')}${cell('minified', 10)}${cell('gzip', 9)}`,
);

const results = [];
const otherNames = new Set();
for (const bundle of BUNDLES) {
  const missing = bundle.needs.find((file) => !existsSync(file));
  if (missing !== undefined) {
    console.log(
      `${bundle.label.padEnd(labelWidth)}  skipped: ${relative(root, missing)} not built`,
    );
    results.push({ ...bundle, skipped: true });
    continue;
  }
  const r = await build(bundle);
  for (const name of r.others) otherNames.add(name);
  const external = bundle.app === undefined;
  const partCells = COLUMNS.map((c) => cell(external && c !== 'own' ? '-' : n(r.parts[c])));
  console.log(
    `${bundle.label.padEnd(labelWidth)} ${partCells.join('')}${cell(n(r.minified), 10)}${cell(n(r.gzip), 9)}`,
  );
  results.push({ ...bundle, ...r });
}
const otherNote = otherNames.size > 0 ? `; other packages: ${[...otherNames].join(', ')}` : '';
console.log(`(other = the app's entry lines${otherNote}; '-' = external)`);

console.log('');
console.log(
  `${''.padEnd(labelWidth)}  ${'gzip'.padStart(8)}  ${'goal'.padEnd(42)}  ceiling (enforced)`,
);
let failed = false;
for (const r of results) {
  const label = r.label.padEnd(labelWidth);
  if (r.skipped) {
    console.log(`${label}  skipped`);
    continue;
  }
  const goal = GOAL_BYTES[r.id];
  const goalText = `${n(goal)} (${kib(goal)}): ${r.gzip <= goal ? 'met' : `not met, ${n(r.gzip - goal)} B over`}`;
  const limit = ceilings[r.id].bytes;
  const over = r.gzip > limit;
  failed ||= over;
  const ceilingText = `${n(limit)}: ${over ? `EXCEEDED by ${n(r.gzip - limit)} B` : 'ok'}`;
  console.log(`${label}  ${cell(n(r.gzip))}  ${goalText.padEnd(42)}  ${ceilingText}`);
}
console.log(
  '(bytes; ceilings from env POLLWISE_SIZE_CEILING_{POLL,RESOURCE,CORE,REACT,VUE,SVELTE}, defaults in DEFAULT_CEILING_BYTES)',
);
if (failed) {
  console.error('size: a ceiling is exceeded');
  process.exit(1);
}
